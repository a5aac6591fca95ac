import ArgumentParser
import EdgeNode

struct Patrol: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patrol",
        abstract: "BeiDou-positioned inspection patrols: check routes, replay captures.",
        subcommands: [Check.self, Replay.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a route file: prints its checkpoints and every finding with file:line:column.",
            discussion: """
            Findings: radii the required fix quality cannot honour, self-intersecting fences, \
            checkpoints outside the inclusion fences or inside an exclusion fence, repeated names, \
            and map coordinates offset like GCJ-02 or BD-09 when surveyed control points are given. \
            Exit status 2 when there are findings.

            Examples:
              edge-node patrol check devices/routes/zhuhai-plant-north.yaml
              edge-node patrol check devices/routes/zhuhai-plant-north.yaml --json
            """
        )
        @Argument(help: "The route file (YAML).") var route: String
        @Flag(help: "JSON: the route, its checkpoints and the findings.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let (text, findings) = try PatrolCommands.check(route, json: json)
                var output = OutputSink()
                output.write(text)
                output.flush()
                if !findings.isEmpty { throw .input("\(findings.count) finding(s) in \(route)") }
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Feed an NMEA capture through the parser and the patrol agent at full speed.",
            discussion: """
            Prints each checkpoint's verdict (visited, missed, skipped, uncertain), the rule that \
            decided and the lateral offset, then the totals. --report writes the run record as \
            JSON Lines (one event per line: UTC and GPS time, position, datum, fix quality, HDOP, \
            satellites, correction age, rule, offset, readings; a summary last); the same input \
            gives a byte-identical report. --json prints that record instead of the summary. --map \
            draws the track coloured by fix quality, the fences and the checkpoints with their outcome.

            Examples:
              edge-node patrol replay --route devices/routes/zhuhai-plant-north.yaml --nmea drive.nmea \\
                  --report run.jsonl --map run.svg
              edge-node patrol replay --route devices/routes/zhuhai-plant-north.yaml --nmea drive.nmea --json
            """
        )
        @Option(help: "The route file (YAML).") var route: String
        @Option(help: "The NMEA capture, or - for standard input.") var nmea: String
        @Option(help: "Write the run record (JSON Lines) here.") var report: String?
        @Option(help: "Draw the track, fences and checkpoints to this SVG file.") var map: String?
        @Option(help: "Journal the patrol's state after every fix; a replay that finds the journal resumes (needs --report).")
        var journal: String?
        @Option(help: "Seconds to wait after each fix (0: full speed; 1: a 1 Hz receiver in real time).") var pace: Double = 0
        @Flag(help: "Print the run record (JSON Lines, as --report writes it) instead of the summary.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var options = PatrolCommands.ReplayOptions()
                options.reportPath = report
                options.journalPath = journal
                options.pace = pace
                let replay = try PatrolCommands.replay(routePath: route, nmeaPath: nmea, options: options)
                if let report, journal == nil { try OutputSink.writeFile(replay.report, to: report) }
                if let map { try OutputSink.writeFile(PatrolCommands.map(replay), to: map) }
                var output = OutputSink()
                output.write(json ? replay.report : PatrolCommands.summaryText(replay))
            }
        }
    }
}
