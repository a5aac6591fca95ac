import ArgumentParser
import EdgeNode
import Glibc

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

struct NMEA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmea",
        abstract: "Decode NMEA 0183 (2.3-4.11) from BeiDou and multi-GNSS receivers.",
        subcommands: [Decode.self, Stats.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decode",
            abstract: "Decode a capture into epochs, or into gpsd-style JSON with --json.",
            discussion: """
            Without --json: one row per receiver epoch (UTC, fix quality, 2D/3D, position, altitude, \
            speed, HDOP, satellites used and seen per system). \
            With --json: one JSON object per line in gpsd's report format ("class":"TPV", "SKY", \
            "GST"; gpsd's field names and units), written where gpsd writes them.

            A sentence that does not decode is skipped, as gpsd skips it, and named on stderr with \
            its line and what was expected (the first ten; then a count, with the bytes the framer \
            discarded).

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
                var diagnostics = OutputSink(descriptor: STDERR_FILENO)
                try NMEACommands.decode(path: file, json: json, options: framer.options, output: &output, diagnostics: &diagnostics)
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Count sentences, errors, discarded bytes, epochs, fix qualities and satellites.",
            discussion: """
            Runs the full parse and epoch assembly, then prints counts per talker and type, checksum \
            failures, discarded bytes by reason, epochs, fixes by quality and the most satellites \
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
                let result = try NMEACommands.statistics(path: file, options: framer.options)
                var output = OutputSink()
                output.write(NMEACommands.render(result.statistics, result.framer, firstFailure: result.firstFailure, json: json))
            }
        }
    }
}
