import ArgumentParser
import EdgeNode

@main
struct EdgeNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-node",
        abstract: "Software for industrial edge gateways: BeiDou/GNSS, Modbus, GPIO, patrols, predictive maintenance.",
        discussion: """
        Exit codes: 0 ok, 1 runtime failure, 2 usage or input error.

        Examples:
          edge-node demo                          decode the embedded BeiDou capture
          edge-node nmea decode capture.log       one row per receiver epoch
          edge-node nmea decode --json - < x.log  gpsd-style TPV/SKY/GST JSON lines
          edge-node nmea stats --json capture.log counts for scripts
        """,
        subcommands: [Demo.self, NMEA.self]
    )
}

/// Options every NMEA command shares.
struct FramerOptions: ParsableArguments {
    @Option(help: "Longest sentence accepted, in characters including CR LF (NMEA says 82).")
    var maxLength: Int = 82
    @Option(help: "Extra characters tolerated beyond --max-length (high-precision receivers exceed 82).")
    var lengthTolerance: Int = 40
    @Flag(help: "Deliver sentences whose checksum does not match, counted, instead of rejecting them.")
    var acceptBadChecksums = false

    func validate() throws {
        guard maxLength >= 10 else { throw ValidationError("--max-length must be at least 10 characters") }
        guard lengthTolerance >= 0 else { throw ValidationError("--length-tolerance cannot be negative") }
    }

    var options: NMEACommands.Options {
        var options = NMEACommands.Options()
        options.framer = .init(maximumLength: maxLength, lengthTolerance: lengthTolerance,
                               checksumPolicy: acceptBadChecksums ? .acceptAndFlag : .reject)
        return options
    }
}

/// Runs a library call and maps its error to the documented exit code and a one-line message.
func reportingErrors(_ body: () throws(EdgeNodeError) -> Void) throws {
    do {
        try body()
    } catch {
        var stderr = OutputSink(descriptor: 2)
        stderr.write("edge-node: \(error.message)\n")
        stderr.flush()
        throw ExitCode(error.exitCode)
    }
}

struct NMEA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmea",
        abstract: "Decode NMEA 0183 (2.3-4.11) from BeiDou and multi-GNSS receivers.",
        subcommands: [Decode.self, Stats.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a capture into epochs, or into gpsd-style JSON with --json.",
            discussion: """
            Without --json: one row per receiver epoch (UTC, fix quality, 2D/3D, position, altitude,
            speed, HDOP, satellites used and seen per system).
            With --json: one JSON object per line in gpsd's report format ("class":"TPV", "SKY",
            "GST"; gpsd's field names and units), written where gpsd writes them.

            Examples:
              edge-node nmea decode ../shared/data/nmea/gpsd/beidou-gb.log
              socat -u /dev/ttyUSB0,b115200,raw - | edge-node nmea decode --json -
            """
        )
        @Argument(help: "Capture file, or - for standard input.") var file: String = "-"
        @Flag(help: "gpsd-style JSON lines instead of a table.") var json = false
        @OptionGroup var framer: FramerOptions

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try NMEACommands.decode(path: file, json: json, options: framer.options, output: &output)
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count sentences, errors, discarded bytes, epochs, fix qualities and satellites.",
            discussion: """
            Runs the full parse and epoch assembly, then prints counts per talker and type, checksum
            failures, discarded bytes by reason, epochs, fixes by quality and the most satellites
            seen and used per constellation.

            Example:
              edge-node nmea stats --json ../shared/data/nmea/gpsd/quectelLC79D-1.log
            """
        )
        @Argument(help: "Capture file, or - for standard input.") var file: String = "-"
        @Flag(help: "One JSON object instead of a report.") var json = false
        @OptionGroup var framer: FramerOptions

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let (statistics, framerState) = try NMEACommands.statistics(path: file, options: framer.options)
                var output = OutputSink()
                output.write(NMEACommands.render(statistics, framerState, json: json))
            }
        }
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the main job on the embedded default: decode a BeiDou + GPS receiver capture.",
        discussion: "No hardware and no files needed. Prints the epochs, then the statistics."
    )
    @Flag(help: "gpsd-style JSON lines instead of a table.") var json = false

    func run() throws {
        try reportingErrors { () throws(EdgeNodeError) in
            var output = OutputSink()
            try Demonstration.run(json: json, output: &output)
        }
    }
}
