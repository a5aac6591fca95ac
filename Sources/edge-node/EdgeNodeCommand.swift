import ArgumentParser
import EdgeIO
import EdgeNode
import Glibc
import PredictiveMaintenance

@main
struct EdgeNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-node",
        abstract: "Software for industrial edge gateways: BeiDou/GNSS, Modbus, GPIO, patrols, predictive maintenance.",
        discussion: """
        Exit codes: 0 ok, 1 runtime failure, 2 usage or input error.

        Examples:
          edge-node demo                          the daemon on simulated devices, live
          edge-node config check devices/site.yaml
          edge-node run --site /etc/edge-node/site.yaml
          edge-node status                        what the running daemon reports
          edge-node doctor --site /etc/edge-node/site.yaml
          edge-node nmea decode --json - < x.log  gpsd-style TPV/SKY/GST JSON lines
          edge-node gnss watch --profile devices/receivers/quectel-lc29h.yaml --port /dev/ttyUSB0
          edge-node modbus poll --profile devices/modbus/line-plc.yaml --host 192.168.1.20
          edge-node gpio watch --chip gpiochip0 17 27
          edge-node vibration analyze motor.f32 --rate 25600 --shaft-hz 24.6 --bearing n=9,d=7.94,D=39.04
          edge-node patrol check devices/routes/zhuhai-plant-north.yaml
          edge-node simulate gnss --route devices/routes/zhuhai-plant-north.yaml --pty --link /tmp/gnss

        Every command has --help with its own examples.
        """,
        subcommands: [Demo.self, Run.self, Status.self, Doctor.self, Config.self, NMEA.self, GNSS.self, GPIO.self, Serial.self, Modbus.self, Vibration.self, Patrol.self, GeodesicCommand.self, Simulate.self]
    )

    /// Parses and runs, with the documented exit codes: ArgumentParser's usage errors (its 64)
    /// exit with 2, like every other usage or input error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            var standardError = OutputSink(descriptor: 2)
            standardError.write(fullMessage(for: error) + "\n")
            standardError.flush()
            Glibc.exit(2)
        }
    }
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
    do { try body() } catch { throw reported(error) }
}

/// The same for an asynchronous call (the daemon, the demo).
func reportingErrors(_ body: () async throws(EdgeNodeError) -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

/// Prints the error's one-line message; returns the exit code that goes with it.
private func reported(_ error: EdgeNodeError) -> ExitCode {
    var stderr = OutputSink(descriptor: 2)
    // Under systemd the journal reads the syslog priority from the line: <3> is an error.
    stderr.write("\(getenv("JOURNAL_STREAM") != nil ? "<3>" : "")edge-node: \(error.message)\n")
    stderr.flush()
    return ExitCode(error.exitCode)
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

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole mission on simulated devices: the daemon on a plant's twins, live, then a report.",
        discussion: """
        Starts the twins of a plant on this machine: a line PLC and an energy meter over Modbus TCP \
        on loopback, a BeiDou receiver on a pseudo-terminal driving the night patrol (RTK float \
        for a while, a short outage), the GPIO board (door contact, pump tachometer) and a pump \
        whose outer race starts to fail. Runs the daemon on them with a live line a second \
        (patrol, fix, device health, the pump's vibration), stops when the patrol is done and the \
        pump's alarm has come, and writes a self-contained HTML report (patrol table and map, \
        events, spectra) whose path it prints. About 20 s.

        --tour instead runs the quick offline tour: a real BeiDou capture decoded, the pump \
        diagnosed, the patrol replayed (no daemon, one second).

        Examples:
          edge-node demo
          edge-node demo --directory /tmp/demo --time-scale 10
          edge-node demo --tour --json
        """
    )
    @Option(help: "Where the site file, the events and the report go.") var directory = "/tmp/edge-node-demo"
    @Option(help: "Simulated time runs this much faster than real time.") var timeScale: Double = 20
    @Flag(help: "The quick offline tour instead (no daemon).") var tour = false
    @Flag(help: "With --tour: gpsd-style JSON lines instead of tables.") var json = false

    func run() async throws {
        if tour {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try Demonstration.run(json: json, output: &output)
            }
            return
        }
        guard timeScale >= 1 else { throw ValidationError("--time-scale is at least 1") }
        var options = LiveDemonstration.Options(directory: directory)
        options.timeScale = timeScale
        try await reportingErrors { () async throws(EdgeNodeError) in
            var output = OutputSink()
            output.write("edge-node demo: the daemon on the twins of the north plant (\(Int(timeScale))x real time)\n")
            output.flush()
            let report = try await LiveDemonstration.run(options) { line in
                var live = OutputSink()
                live.write(line + "\n")
                live.flush()
            }
            output.write("events: \(directory)/events.jsonl\nreport: \(report)\n")
            output.flush()
        }
    }
}

extension VibrationCommands.SampleFormat: ExpressibleByArgument {}
extension VibrationCommands.Units: ExpressibleByArgument {}
extension SeverityCriteria.Support: ExpressibleByArgument {}

struct Vibration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vibration",
        abstract: "Condition monitoring of rotating machines from vibration recordings.",
        subcommands: [Analyze.self]
    )

    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "analyze",
            abstract: "Features, ISO 10816 severity, envelope analysis and a bearing verdict for a recording.",
            discussion: """
            Runs the gateway's whole chain over one acceleration recording: time-domain features \
            (kurtosis is Pearson's, Gaussian = 3), broadband velocity RMS (10-1000 Hz) and its ISO \
            10816-3 zone, the strongest spectral lines, and, given the bearing geometry and the \
            shaft speed, envelope analysis with a verdict (outer_race, inner_race, ball, cage or \
            none) and the lines that support it. The demodulation band is the one with the highest \
            spectral kurtosis unless --band is given; the shaft speed is refined from the envelope \
            spectrum when a line stands out within 5 % of --shaft-hz.

            Examples:
              edge-node vibration analyze ../shared/data/bearing/mfpt/OuterRaceFault_vload_1.f32 \\
                  --rate 48828 --shaft-hz 25 --bearing n=8,d=0.235,D=1.245,angle=0
              edge-node vibration analyze pump.csv --format csv --rate 10000 --units m/s2 --json
              edge-node vibration analyze fan.s16 --format s16le --scale 0.000244 --rate 25600 --plot fan.svg
            """
        )
        @Argument(help: "The recording: one channel of acceleration samples.") var file: String
        @Option(help: "Sample rate, Hz.") var rate: Double
        @Option(help: "Sample encoding: f32le, s16le or csv (first column; a header line is skipped).")
        var format: VibrationCommands.SampleFormat = .f32le
        @Option(help: "Units per count for s16le samples.") var scale: Double = 1
        @Option(help: "Sample units: g or m/s2.") var units: VibrationCommands.Units = .g
        @Option(name: .customLong("shaft-hz"), help: "Nominal shaft speed, Hz (revolutions per second).") var shaftHz: Double?
        @Option(help: "Bearing geometry: n=ELEMENTS,d=ELEMENT_DIAMETER,D=PITCH_DIAMETER[,angle=DEGREES].") var bearing: String?
        @Option(help: "Demodulation band LOW-HIGH in Hz (default: chosen by spectral kurtosis).") var band: String?
        @Option(help: "ISO 10816-3 machine group: 1 (300 kW-50 MW) or 2 (15-300 kW).") var machineGroup: Int = 2
        @Option(help: "Machine support for ISO 10816-3: rigid or flexible.") var support: SeverityCriteria.Support = .rigid
        @Flag(help: "One JSON object instead of a report.") var json = false
        @Option(help: "Also draw the spectrum and the envelope spectrum, defect frequencies marked, to this SVG file.")
        var plot: String?

        func validate() throws {
            guard machineGroup == 1 || machineGroup == 2 else { throw ValidationError("--machine-group is 1 or 2") }
            do throws(EdgeNodeError) {
                try options().validate()
            } catch {
                throw ValidationError(error.message)
            }
        }

        private func options() throws(EdgeNodeError) -> VibrationCommands.AnalyzeOptions {
            var options = VibrationCommands.AnalyzeOptions(sampleRate: rate)
            options.format = format
            options.scale = scale
            options.units = units
            options.shaftHz = shaftHz
            options.bearing = try bearing.map { text throws(EdgeNodeError) in try VibrationCommands.parseBearing(text) }
            options.band = try band.map { text throws(EdgeNodeError) in try VibrationCommands.parseBand(text, sampleRate: rate) }
            options.severity = .iso10816part3(group: machineGroup == 1 ? .one : .two, support: support)
            return options
        }

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let analysis = try VibrationCommands.analyze(path: file, options: options())
                var output = OutputSink()
                output.write(VibrationCommands.render(analysis, json: json))
                if let plot { try OutputSink.writeFile(VibrationCommands.svg(analysis), to: plot) }
            }
        }
    }
}

/// Four numbers from the command line; negative ones need no `--` (they are collected as
/// unrecognised arguments), though `--` works too.
func numbers(_ tokens: [String], expecting names: String) throws -> [Double] {
    let values = tokens.filter { $0 != "--" }
    guard values.count == 4 else { throw ValidationError("expected \(names), got \(values.count) values") }
    return try values.map { token in
        guard let value = Double(token) else { throw ValidationError("'\(token)' is not a number (expected \(names))") }
        return value
    }
}

struct GeodesicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geodesic",
        abstract: "Distances and azimuths on the ellipsoid (Karney's geodesics, as GeographicLib).",
        discussion: """
        Coordinates are decimal degrees, negative south and west (negative numbers work as they \
        are, or after --). Accurate to about 15 nm for any pair of points, antipodes included.
        """,
        subcommands: [Inverse.self, Direct.self]
    )

    struct Inverse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inverse",
            abstract: "Distance and azimuths between two points.",
            discussion: """
            Prints s12 (metres), azi1 and azi2 (degrees clockwise from north; azi2 is the forward \
            azimuth at the second point). --json prints {"s12":...,"azi1":...,"azi2":...}.

            Examples:
              edge-node geodesic inverse 22.2710 113.5767 22.2800 113.5900
              edge-node geodesic inverse --json --ellipsoid cgcs2000 -- 40.64 -73.78 1.36 103.99
            """
        )
        @Argument(parsing: .allUnrecognized, help: "LAT1 LON1 LAT2 LON2, degrees.") var coordinates: [String]
        @Option(help: "wgs84 (default) or cgcs2000.") var ellipsoid = "wgs84"
        @Flag(help: "One JSON object.") var json = false

        func validate() throws { _ = try numbers(coordinates, expecting: "LAT1 LON1 LAT2 LON2") }

        func run() throws {
            let coordinates = try numbers(coordinates, expecting: "LAT1 LON1 LAT2 LON2")
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try GeodesicCommands.inverse((coordinates[0], coordinates[1]), (coordinates[2], coordinates[3]),
                                                          ellipsoid: GeodesicCommands.ellipsoid(named: ellipsoid), json: json))
            }
        }
    }

    struct Direct: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "direct",
            abstract: "Where a geodesic from a point, at an azimuth, for a distance, ends.",
            discussion: """
            Prints lat2, lon2 and azi2 (degrees). --json prints {"lat2":...,"lon2":...,"azi2":...}.

            Examples:
              edge-node geodesic direct 22.2710 113.5767 45 1500
              edge-node geodesic direct --json -- -33.87 151.21 -120 10000
            """
        )
        @Argument(parsing: .allUnrecognized, help: "LAT1 LON1 AZI1 S12: degrees, degrees, degrees, metres.") var values: [String]
        @Option(help: "wgs84 (default) or cgcs2000.") var ellipsoid = "wgs84"
        @Flag(help: "One JSON object.") var json = false

        func validate() throws { _ = try numbers(values, expecting: "LAT1 LON1 AZI1 S12") }

        func run() throws {
            let values = try numbers(values, expecting: "LAT1 LON1 AZI1 S12")
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try GeodesicCommands.direct((values[0], values[1]), azimuth: values[2], distance: values[3],
                                                         ellipsoid: GeodesicCommands.ellipsoid(named: ellipsoid), json: json))
            }
        }
    }
}

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

struct GNSS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gnss",
        abstract: "The live BeiDou/GNSS receiver on a serial port.",
        subcommands: [Watch.self]
    )

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Open a receiver with its profile and print its epochs as they come.",
            discussion: """
            Opens the port exclusively with the profile's settings, sends its start-up commands, \
            and prints one row per epoch (--json: gpsd-style TPV lines), with the events in \
            between: silence, unplugging, reopening (with backoff up to 30 s), and bytes that give \
            no epoch, with why (noise: the baud rate; no GGA or RMC; no time yet: the antenna).

            Examples:
              edge-node gnss watch --profile devices/receivers/ublox-zed-f9p.yaml --port /dev/ttyACM0
              edge-node gnss watch --profile devices/receivers/quectel-lc29h.yaml --port /dev/serial/by-id/usb-... --json --epochs 10
            """
        )
        @Option(help: "A receiver profile (devices/receivers/*.yaml).") var profile: String
        @Option(help: "The serial device.") var port: String
        @Flag(help: "gpsd-style TPV lines and event objects instead of a table.") var json = false
        @Option(help: "Stop after this many epochs.") var epochs: Int?
        @Option(help: "Stop after this many seconds.") var seconds: Double?
        @Option(help: "Every N epochs (and at the end), the sky as a signal-strength bar chart with the sentence and error counts; 0: only at the end.") var skyEvery = 10

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GNSSCommands.watch(profilePath: profile, port: port, json: json, epochs: epochs, seconds: seconds,
                                       skyEvery: skyEvery, output: &output)
            }
        }
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulated twins of the gateway's devices, for trying things without hardware.",
        subcommands: [GNSSReceiver.self, GPIOBoard.self, ModbusDevice.self]
    )

    struct GNSSReceiver: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gnss",
            abstract: "A simulated GPS + BeiDou + Galileo receiver driving along a route or a GPX track.",
            discussion: """
            Sends the NMEA a rover's receiver would send: per fix GGA, a GSA and GSVs per \
            constellation, and RMC, with receiver noise and scripted events. With --pty it creates a \
            pseudo-terminal, prints its path (and makes --link point at it) and paces the fixes in \
            real time (--time-scale to go faster); without, the NMEA goes to standard output.

            Events (--event, repeatable): START[-END]:KIND[=VALUE], seconds from the start.
              30-45:rtk_float     RTK fixed -> float for 15 s (also rtk_fixed, differential, autonomous)
              60-70:outage        no fix
              80:outlier=25       one fix 25 m off
              90-120:hdop=3.5     a worse HDOP
              100-130:satellites=5  only 5 satellites used

            Examples:
              edge-node simulate gnss --route devices/routes/zhuhai-plant-north.yaml --pty --link /tmp/gnss &
              edge-node gnss watch --profile devices/receivers/quectel-lc29h.yaml --port /tmp/gnss
              edge-node simulate gnss --track drive.gpx --rate 10 --time-scale 0 --event 30-60:rtk_float | edge-node nmea stats -
              edge-node simulate gnss --route devices/routes/zhuhai-plant-north.yaml --edition 4.0 --beidou-talker BD --time-scale 0
            """
        )
        @Option(help: "Drive through this route's checkpoints, stopping at each.") var route: String?
        @Option(help: "Drive along this GPX track (trkpt, else rtept, else wpt) without stopping.") var track: String?
        @Flag(help: "Serve on a new pseudo-terminal instead of standard output.") var pty = false
        @Option(help: "With --pty: also make this symlink to the device.") var link: String?
        @Option(help: "Fixes per second, 1-10.") var rate: Double = 1
        @Option(help: "1: real time, 20: twenty times faster, 0: no pacing.") var timeScale: Double = 1
        @Option(help: "Speed, m/s.") var speed: Double = 2
        @Option(help: "1-sigma position noise, metres.") var noise: Double = 0.05
        @Option(help: "Solution: rtk_fixed, rtk_float, differential or autonomous.") var mode = "rtk_fixed"
        @Option(help: "NMEA edition: 4.11, 4.10 (system and signal IDs), 4.0 or 2.3 (none).") var edition = "4.11"
        @Option(help: "BeiDou talker: GB or BD.") var beidouTalker = "GB"
        @Option(help: "A scripted event (see above); repeatable.") var event: [String] = []
        @Option(help: "Noise seed: the same seed gives the same bytes.") var seed: UInt64 = 1

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                guard pty || link == nil else { throw .input("--link needs --pty") }
                var simulation = GNSSCommands.Simulation()
                simulation.routePath = route
                simulation.trackPath = track
                simulation.timeScale = timeScale
                guard let chosen = GNSSCommands.modes[mode] else {
                    throw .input("--mode: expected one of \(GNSSCommands.modes.keys.sorted().joined(separator: ", ")), found '\(mode)'")
                }
                guard let edition = SimulatedGNSSReceiver.Edition(rawValue: edition) else { throw .input("--edition: expected 4.11, 4.10, 4.0 or 2.3, found '\(edition)'") }
                guard let talker = SimulatedGNSSReceiver.BeiDouTalker(rawValue: beidouTalker.uppercased()) else {
                    throw .input("--beidou-talker: expected GB or BD, found '\(beidouTalker)'")
                }
                simulation.receiver.mode = chosen
                simulation.receiver.edition = edition
                simulation.receiver.beidouTalker = talker
                simulation.receiver.rate = rate
                simulation.receiver.speed = speed
                simulation.receiver.noise = noise
                simulation.receiver.seed = seed
                if track != nil { simulation.receiver.pause = 0 }
                for text in event { simulation.receiver.events.append(try GNSSCommands.event(text, rate: rate)) }
                var output = OutputSink()
                if pty {
                    try GNSSCommands.withPseudoTerminal(link: link) { terminal throws(EdgeNodeError) in
                        output.write("simulated \(mode) receiver on \(terminal.path)" + (link.map { " (\($0))" } ?? "") + "\n")
                        output.flush()
                        try GNSSCommands.simulate(simulation) { bytes throws(EdgeNodeError) in
                            do { try terminal.writeWithoutWaiting(bytes) } catch { throw .runtime("\(error)") }
                        }
                    }
                } else {
                    try GNSSCommands.simulate(simulation) { bytes in
                        output.write(bytes)
                        output.flush()
                    }
                }
            }
        }
    }
}

extension Simulate {
    struct GPIOBoard: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gpio",
            abstract: "The simulated plant's GPIO board, watched live.",
            discussion: """
            Runs the simulated board ('--chip simulated' in the gpio commands) in real time and \
            watches it through the same event loop as a real chip: a door contact that bounces \
            every 8 s (door_closed, line 0), a tank level float (tank_level_high, 1), a 45 Hz \
            flow meter (flow_meter, 2), a 1470 rpm pump tachometer that stops 6 s in every 40 s \
            (pump_tach, 3) and a smoke detector stuck low (smoke_alarm, 4).

            Example:
              edge-node simulate gpio --seconds 30
            """
        )
        @Option(help: "Stop after this many seconds (default: until interrupted).") var seconds: Double?
        @Flag(help: "Every edge with its timestamp too.") var raw = false
        @Flag(help: "JSON Lines.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var options = GPIOCommands.WatchOptions()
                options.seconds = seconds
                options.raw = raw
                options.json = json
                var output = OutputSink()
                try GPIOCommands.watch(chip: PlantGPIOScenario.chipName, options, output: &output)
            }
        }
    }
}

extension Simulate {
    struct ModbusDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modbus",
            abstract: "Serve a device profile's units as a Modbus TCP or RTU device, with faults on request.",
            discussion: """
            Serves every point of the profile with its 'simulate' generator (constant, text, ramp, \
            sine, noise, replay of a CSV), keeps what clients write to read-write points, and answers \
            exception 2 on every address no point declares. TCP takes several clients at once; --rtu \
            serves a serial port or pseudo-terminal (e.g. one end of a socat pty pair).

            Examples:
              edge-node simulate modbus --profile devices/modbus/line-plc.yaml --listen 127.0.0.1:1502
              mbpoll -m tcp -p 1502 -a 1 -r 1 -c 2 -t 4:float -B 127.0.0.1
              socat pty,raw,echo=0,link=/tmp/rtu-a pty,raw,echo=0,link=/tmp/rtu-b &
              edge-node simulate modbus --profile devices/modbus/vfd.yaml --rtu /tmp/rtu-a --line-timing
              edge-node simulate modbus --profile devices/modbus/energy-meter.yaml --exception 6@input:0-9 --drop-every 10
            """
        )
        @Option(help: "The device profile.") var profile: String
        @Option(help: "HOST:PORT for Modbus TCP (default: the profile's TCP address, or 127.0.0.1:1502).") var listen: String?
        @Option(help: "Serve Modbus RTU on this serial device or pseudo-terminal instead.") var rtu: String?
        @Option(help: "Delay before every reply, milliseconds.") var delay: Double = 0
        @Option(help: "Exception CODE@TABLE:FROM[-TO] for requests touching the range; repeatable.") var exception: [String] = []
        @Option(help: "Drop every Nth reply.") var dropEvery = 0
        @Option(help: "Reply with a wrong unit id to every Nth request.") var wrongUnitEvery = 0
        @Option(help: "Close each TCP connection after N requests.") var disconnectAfter = 0
        @Option(help: "A unit that never answers (a dead slave); repeatable.") var silentUnit: [Int] = []
        @Option(help: "Answer the first N requests with exception 6 (busy).") var busy = 0
        @Flag(help: "RTU: hold each reply for the time request and reply take on the wire at the profile's baud.") var lineTiming = false
        @Option(help: "Stop after this many seconds (default: until interrupted).") var seconds: Double?

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                guard listen == nil || rtu == nil else { throw .input("--listen (TCP) or --rtu (serial), not both") }
                guard delay >= 0, dropEvery >= 0, wrongUnitEvery >= 0, disconnectAfter >= 0, busy >= 0 else {
                    throw .input("fault settings cannot be negative")
                }
                var simulation = ModbusCommands.Simulation()
                simulation.listen = listen
                simulation.rtu = rtu
                simulation.seconds = seconds
                simulation.faults.responseDelay = delay / 1000
                for rule in exception { simulation.faults.exceptions.append(try ModbusCommands.exceptionRule(rule)) }
                simulation.faults.dropEvery = dropEvery
                simulation.faults.wrongUnitEvery = wrongUnitEvery
                simulation.faults.disconnectAfter = disconnectAfter
                simulation.faults.silentUnits = Set(silentUnit)
                simulation.faults.busyReplies = busy
                if lineTiming {
                    guard rtu != nil else { throw .input("--line-timing is for --rtu") }
                    let profile = try ModbusProfileFile.load(self.profile)
                    if case .rtu(_, let settings) = profile.transport { simulation.faults.lineBaud = settings.baud } else { simulation.faults.lineBaud = 19_200 }
                }
                try ModbusCommands.simulate(profilePath: profile, simulation) { line in
                    var output = OutputSink()
                    output.write(line + "\n")
                    output.flush()
                }
            }
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The daemon: run the site's devices, patrols and analytics until stopped.",
        discussion: """
        Loads and checks the site file, then polls its Modbus devices, watches its GPIO boards, \
        reads its BeiDou receiver and runs its patrols, each on its own: one failing device is \
        retried with backoff and reported, never stopping the others. Events (point quality, \
        GPIO states, patrol events and run records, device faults) go to EVENTS/events.jsonl, \
        rotated at the site's size cap and forced to disk every 5 s; while it cannot be written \
        (a full disk), events are held in memory and written later, in order. An unfinished \
        patrol resumes after a restart, a crash or a power cut from its journal in \
        EVENTS/patrols, and each machine keeps its learnt baseline in EVENTS/baselines (delete \
        it after maintenance to learn again). Under systemd \
        (Type=notify) it sends READY=1, STATUS= and WATCHDOG=1; logs carry syslog priorities when stderr goes to the journal. With \
        'status: {listen: 127.0.0.1:9810}' it serves /status (JSON: devices with health, \
        patrols, machines, points, counters) and /metrics (Prometheus). SIGHUP reads the site \
        file again and applies it: what changed restarts, what is new starts, what is gone stops, \
        the rest runs on untouched; a broken file is reported and changes nothing. SIGTERM or \
        SIGINT stops it gracefully: every service finishes, the event log is synced.

        Examples:
          edge-node run --site /etc/edge-node/site.yaml
          edge-node run --site devices/site.yaml --outputs /tmp/edge-node
        """
    )
    @Option(help: "The site file (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var site: String?
    @Option(help: "Write events here instead of the site's outputs directory.") var outputs: String?

    func run() async throws {
        try await reportingErrors { () async throws(EdgeNodeError) in
            try await Daemon.run(sitePath: site ?? SiteFile.defaultPath, outputDirectory: outputs)
        }
    }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every configured device and the host; say how to fix what fails.",
        discussion: """
        For each Modbus device: reachable, and its latency. For each serial port (RTU buses, the \
        GNSS receiver): present, free (or which process holds it), and openable by the service (its \
        DeviceAllow= and groups). The receiver: talking, and its best fix; if none, why \
        (no bytes: power or wiring; bytes but no sentence: the baud rate; no time or position: \
        GGA/RMC off, or the antenna). Vibration channels: their file or FIFO there and readable. \
        GPIO boards: chip and \
        lines there, openable by the service. The host: the unit's groups exist, the clock \
        synchronised, free disk for the outputs, the unit's state and restarts. Each failure \
        comes with a remedy. Exit 0 when nothing failed, 1 otherwise.

        Examples:
          edge-node doctor
          edge-node doctor --site /etc/edge-node/site.yaml --json
        """
    )
    @Option(help: "The site file (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var site: String?
    @Option(help: "Seconds to listen to the GNSS receiver.") var receiverSeconds: Double = 3
    @Flag(help: "JSON: [{\"check\", \"status\", \"detail\", \"remedy\"}].") var json = false

    func run() throws {
        try reportingErrors { () throws(EdgeNodeError) in
            let findings = EdgeNode.Doctor.examine(try SiteFile.load(site ?? SiteFile.defaultPath), receiverSeconds: receiverSeconds)
            var output = OutputSink()
            output.write(EdgeNode.Doctor.render(findings, json: json))
            output.flush()
            if findings.contains(where: { $0.status == .fail }) { throw .runtime("\(findings.filter { $0.status == .fail }.count) checks failed") }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the running daemon reports: devices, patrols, machines, counters.",
        discussion: """
        Asks the daemon's status endpoint (the site's 'status: {listen: ...}', or --url) and \
        prints each device's health, each patrol's progress, each machine's alarm level, \
        baseline, velocity and ISO zone, and the counters. --json prints the report as the \
        daemon sends it. Exit 1 when no daemon answers.

        Examples:
          edge-node status
          edge-node status --url 127.0.0.1:9810 --json
        """
    )
    @Option(help: "The site file whose status listener to ask (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var site: String?
    @Option(help: "HOST:PORT of the status endpoint, instead of the site's.") var url: String?
    @Flag(help: "The report as JSON.") var json = false

    func run() throws {
        try reportingErrors { () throws(EdgeNodeError) in
            let address: (host: String, port: Int)
            if let url {
                let parts = url.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]) else { throw .input("--url is HOST:PORT, e.g. 127.0.0.1:9810") }
                address = (String(parts[0]), port)
            } else {
                let loaded = try SiteFile.load(site ?? SiteFile.defaultPath)
                guard let listen = loaded.statusListen else {
                    throw .input("\(loaded.file) has no status listener: add 'status: {listen: 127.0.0.1:9810}'")
                }
                address = listen
            }
            let body = try StatusCommand.get(host: address.host, port: address.port, path: "/status")
            var output = OutputSink()
            output.write(json ? body : try StatusCommand.render(body))
            output.flush()
        }
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the site file the daemon runs.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Load the site file and every file it names; report the first problem with file:line:column.",
            discussion: """
            Reads the Modbus device profiles, the receiver profile, the routes (with their \
            findings), and checks that every inspection point, speed input and operating-state \
            input names a Modbus point or GPIO line of the site. Exit 0 when the site is good, 2 \
            with the problem otherwise.

            Examples:
              edge-node config check
              edge-node config check /etc/edge-node/site.yaml --json
            """
        )
        @Argument(help: "The site file (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var file: String?
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(SiteFile.summary(try SiteFile.load(file ?? SiteFile.defaultPath), json: json))
            }
        }
    }
}

struct GPIO: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "GPIO lines through libgpiod: list, read, drive and watch them.",
        discussion: """
        CHIP is a name (gpiochip0), a number (0), a label or a path; 'simulated' is the simulated \
        plant board (see 'edge-node simulate gpio'). LINE is an offset (17) or a name (door_closed).
        """,
        subcommands: [List.self, Get.self, Set.self, Watch.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "The chips and their lines: name, direction, consumer.",
            discussion: "Example:\n  edge-node gpio list\n  edge-node gpio list --chip simulated --json"
        )
        @Option(help: "Only this chip.") var chip: String?
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GPIOCommands.list(chip: chip, json: json, output: &output)
                output.flush()
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Read lines once, as inputs.",
            discussion: "Example:\n  edge-node gpio get --chip gpiochip0 17 door_closed --bias pull-up"
        )
        @Option(help: "The chip.") var chip: String
        @Argument(help: "Lines: offsets or names.") var lines: [String]
        @Flag(help: "The line is active when low.") var activeLow = false
        @Option(help: "as-is, disabled, pull-up or pull-down.") var bias = "as-is"
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GPIOCommands.get(chip: chip, lines: lines, activeLow: activeLow, bias: try parseBias(bias), json: json, output: &output)
                output.flush()
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Drive output lines (refuses without --yes).",
            discussion: """
            The line keeps its value while held (--hold); libgpiod v1 releases it when the command \
            exits, and the kernel may then return it to its default.

            Example:
              edge-node gpio set --chip gpiochip0 beacon=1 --hold 5 --yes
            """
        )
        @Option(help: "The chip.") var chip: String
        @Argument(help: "LINE=0 or LINE=1, one or more.") var assignments: [String]
        @Option(help: "Seconds to hold the value before releasing the lines.") var hold: Double = 0
        @Flag(help: "Confirm: outputs switch real equipment.") var yes = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try GPIOCommands.set(chip: chip, assignments: assignments, hold: hold, confirmed: yes, output: &output)
                output.flush()
            }
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Watch lines: settled changes, pulse rates, every edge with --raw.",
            discussion: """
            One event loop for all lines (no thread per line). Changes are reported once the line \
            has held its level for --debounce ms (bounces filtered, lost edges counted); lines \
            that pulse get a row each second with their frequency, shaft speed (--ppr pulses per \
            revolution) and a quality that goes bad when the pulses stop.

            Examples:
              edge-node gpio watch --chip gpiochip0 door_closed pump_tach --ppr 2
              edge-node gpio watch --chip simulated --seconds 10 --json
            """
        )
        @Option(help: "The chip.") var chip: String
        @Argument(help: "Lines: offsets or names (all named lines of the simulated board when none).") var lines: [String] = []
        @Option(help: "both, rising or falling.") var edges = "both"
        @Flag(help: "The line is active when low.") var activeLow = false
        @Option(help: "as-is, disabled, pull-up or pull-down.") var bias = "as-is"
        @Option(help: "Settle time, ms.") var debounce: Double = 5
        @Option(help: "Pulses per revolution for the shaft speed.") var ppr: Double = 1
        @Flag(help: "Every edge with its timestamp too.") var raw = false
        @Option(help: "Stop after this many seconds.") var seconds: Double?
        @Flag(help: "JSON Lines.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var options = GPIOCommands.WatchOptions()
                options.lines = lines
                guard let detection = ["both": EdgeDetection.both, "rising": .rising, "falling": .falling][edges] else {
                    throw .input("--edges: expected both, rising or falling, found '\(edges)'")
                }
                guard debounce >= 0, ppr > 0 else { throw .input("--debounce must not be negative and --ppr must be positive") }
                options.edges = detection
                options.activeLow = activeLow
                options.bias = try parseBias(bias)
                options.debounceMilliseconds = debounce
                options.pulsesPerRevolution = ppr
                options.raw = raw
                options.seconds = seconds
                options.json = json
                var output = OutputSink()
                try GPIOCommands.watch(chip: chip, options, output: &output)
            }
        }
    }

    static func parseBias(_ text: String) throws(EdgeNodeError) -> Bias {
        guard let bias = ["as-is": Bias.asIs, "disabled": .disabled, "pull-up": .pullUp, "pull-down": .pullDown][text] else {
            throw .input("--bias: expected as-is, disabled, pull-up or pull-down, found '\(text)'")
        }
        return bias
    }
}

struct Serial: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serial",
        abstract: "Serial ports: which exist, their drivers, and who holds them.",
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "The serial ports with driver, USB identity, stable /dev/serial/by-id names and the process holding each.",
            discussion: "Examples:\n  edge-node serial list\n  edge-node serial list /dev/ttyUSB0 --json"
        )
        @Argument(help: "Only these ports (any terminal device, pseudo-terminals included).") var paths: [String] = []
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try SerialCommands.list(paths: paths, json: json, output: &output)
                output.flush()
            }
        }
    }
}

extension ModbusTable: ExpressibleByArgument {}
extension WordOrder: ExpressibleByArgument {}

/// Where the device is and how to reach it: TCP or RTU, the unit, the timeout.
struct ModbusTarget: ParsableArguments {
    @Option(help: "TCP host (Modbus TCP).") var host: String?
    @Option(help: "TCP port.") var port: Int = 502
    @Option(help: "Serial device (Modbus RTU), instead of --host.") var device: String?
    @Option(help: "RTU baud rate.") var baud: Int = 9600
    @Option(help: "RTU parity: N, E or O.") var parity: String = "N"
    @Option(help: "Unit (slave) id, 0-247.") var unit: Int = 1
    @Option(help: "Response timeout, milliseconds.") var timeout: Int = 500

    func validate() throws {
        guard (host == nil) != (device == nil) else { throw ValidationError("give --host (TCP) or --device (RTU), one of them") }
        guard ["N", "E", "O"].contains(parity.uppercased()) else { throw ValidationError("--parity is N, E or O") }
        guard (0...247).contains(unit) else { throw ValidationError("--unit is 0-247") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    var transport: ModbusTransport {
        if let host { return .tcp(host: host, port: port) }
        let parity: SerialSettings.Parity = switch parity.uppercased() { case "E": .even; case "O": .odd; default: .none }
        return .rtu(device: device!, settings: SerialSettings(baud: baud, parity: parity))
    }
}

/// What to read or write and how to decode it.
struct ModbusSelection: ParsableArguments {
    @Option(help: "coil, discrete, input or holding.") var table: ModbusTable
    @Option(help: "0-based protocol address (40001 in 4xxxx notation is address 0).") var address: Int
    @Option(help: "How many values.") var count: Int = 1
    @Option(help: "int16, uint16, int32, uint32, int64, uint64, float32, float64, bit:N or string:N.") var type = "uint16"
    @Option(help: "Byte and word order: ABCD (big-endian), CDAB, BADC or DCBA.") var order: WordOrder = .abcd

    func validate() throws {
        guard ModbusValueType(name: type) != nil else { throw ValidationError("--type: unknown type '\(type)'") }
        guard address >= 0, address <= 65_535 else { throw ValidationError("--address is 0-65535 (protocol addresses are 0-based)") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func request(_ target: ModbusTarget) -> ModbusCommands.ReadRequest {
        ModbusCommands.ReadRequest(transport: target.transport, unit: target.unit, table: table, address: address, count: count,
                                   type: ModbusValueType(name: type)!, order: order, timeout: .milliseconds(target.timeout))
    }
}

struct Modbus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modbus",
        abstract: "Read, write, decode, scan and poll Modbus devices (TCP and RTU), safely.",
        subcommands: [Read.self, Write.self, Decode.self, Scan.self, Poll.self]
    )

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scan",
            abstract: "Which unit ids answer on a bus (with progress on stderr).",
            discussion: """
            Asks each unit id for holding register 0: values or an exception both mean a device is \
            there; silence (or a gateway's exception 10/11) means nobody. Keep --timeout short on \
            RTU: a full 1-247 scan waits one timeout per empty id.

            Examples:
              edge-node modbus scan --device /dev/ttyUSB0 --baud 19200 --parity E --timeout 100
              edge-node modbus scan --host 10.0.0.20 --units 1-16 --json
            """
        )
        @OptionGroup var target: ModbusTarget
        @Option(help: "Unit ids to try, FROM-TO.") var units = "1-247"
        @Flag(help: "JSON: {\"units\": [{\"unit\": N, \"answer\": \"...\"}]}.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let bounds = units.split(separator: "-").compactMap { Int($0) }
                guard bounds.count == 2, (0...247).contains(bounds[0]), (bounds[0]...247).contains(bounds[1]) else {
                    throw .input("--units '\(units)': expected FROM-TO within 0-247, e.g. 1-247")
                }
                var progress = OutputSink(descriptor: 2)
                let found = try ModbusCommands.scan(target.transport, units: bounds[0]...bounds[1], timeout: .milliseconds(target.timeout)) { done, total in
                    progress.write("\rscanned \(done)/\(total)")
                    if done == total { progress.write("\n") }
                    progress.flush()
                }
                var output = OutputSink()
                output.write(ModbusCommands.render(scan: found, json: json))
            }
        }
    }

    struct Poll: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poll",
            abstract: "Poll a device profile's points live: value, unit, quality, raw registers.",
            discussion: """
            Runs the polling engine the daemon uses: poll groups with their periods, the fewest \
            requests, busy retries, dead units skipped, reconnects. --host/--port or --device \
            override the profile's bus (e.g. to try an RTU profile against 'edge-node simulate \
            modbus' over TCP).

            Examples:
              edge-node modbus poll --profile devices/modbus/energy-meter.yaml
              edge-node modbus poll --profile devices/modbus/line-plc.yaml --port 1502 --seconds 10 --json
            """
        )
        @Option(help: "The device profile.") var profile: String
        @Option(help: "Override the profile's TCP host.") var host: String?
        @Option(help: "Override the profile's TCP port.") var port: Int?
        @Option(help: "Override the profile's RTU device.") var device: String?
        @Option(help: "Stop after this many seconds (default: until interrupted).") var seconds: Double?
        @Flag(help: "JSON Lines, one reading per line.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                guard device == nil || (host == nil && port == nil) else { throw .input("--host/--port (TCP) or --device (RTU), not both") }
                var transport: ModbusTransport?
                if host != nil || port != nil || device != nil {
                    var profileHost = "127.0.0.1", profilePort = 502, settings = SerialSettings(baud: 19_200, parity: .even)
                    switch try ModbusProfileFile.load(profile).transport {
                    case .tcp(let h, let p): (profileHost, profilePort) = (h, p)
                    case .rtu(_, let s): settings = s
                    }
                    transport = device.map { .rtu(device: $0, settings: settings) } ?? .tcp(host: host ?? profileHost, port: port ?? profilePort)
                }
                var output = OutputSink()
                try ModbusCommands.poll(profilePath: profile, transport: transport, seconds: seconds, json: json, output: &output)
            }
        }
    }

    struct Read: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "read",
            abstract: "Read values; prints them with the raw registers, or the exception's name.",
            discussion: """
            Examples:
              edge-node modbus read --host 10.0.0.5 --unit 1 --table holding --address 100 --count 4
              edge-node modbus read --host 10.0.0.5 --table input --address 0 --type float32 --order CDAB --json
              edge-node modbus read --device /dev/ttyUSB0 --baud 19200 --parity E --unit 7 --table coil --address 0 --count 8
            """
        )
        @OptionGroup var target: ModbusTarget
        @OptionGroup var point: ModbusSelection
        @Flag(help: "{\"values\": [...], \"registers\": [...]}") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try ModbusCommands.read(point.request(target), json: json))
            }
        }
    }

    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write",
            abstract: "Write one coil or one value into holding registers (refuses without --yes).",
            discussion: """
            Examples:
              edge-node modbus write --host 10.0.0.5 --table holding --address 10 --type float32 --value 12.5 --yes
              edge-node modbus write --host 10.0.0.5 --table coil --address 3 --value on --yes
            """
        )
        @OptionGroup var target: ModbusTarget
        @OptionGroup var point: ModbusSelection
        @Option(help: "The value (a number; for a coil 1/0, on/off).") var value: String
        @Flag(help: "Confirm: writing changes the plant.") var yes = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try ModbusCommands.write(point.request(target), value: value, confirmed: yes))
            }
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decode",
            abstract: "Show 1-4 registers as every type in every byte and word order.",
            discussion: """
            The first question with a new device: which order does it use? Find the row that reads \
            a sensible value.

            Examples:
              edge-node modbus decode 0x4348 0x0000
              edge-node modbus decode 0x4348 0x0000 --json
            """
        )
        @Argument(help: "Registers, decimal or 0x hex.") var registers: [String]
        @Flag(help: "JSON: each type's value in each order.") var json = false

        func run() throws {
            let words = try registers.map { text -> UInt16 in
                let value = text.lowercased().hasPrefix("0x") ? UInt16(text.dropFirst(2), radix: 16) : UInt16(text)
                guard let value else { throw ValidationError("'\(text)' is not a register value (0-65535 or 0x0000-0xFFFF)") }
                return value
            }
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try ModbusCommands.decode(words, json: json))
            }
        }
    }
}
