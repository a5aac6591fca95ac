import ArgumentParser
import EdgeNode
import PredictiveMaintenance

extension RecordingAnalysis.Encoding: ExpressibleByArgument {}
extension RecordingAnalysis.Units: ExpressibleByArgument {}
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
        var format: RecordingAnalysis.Encoding = .f32le
        @Option(help: "Units per count for s16le samples.") var scale: Double = 1
        @Option(help: "Sample units: g or m/s2.") var units: RecordingAnalysis.Units = .g
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
            do throws(RecordingError) {
                try settings().validate()
            } catch {
                throw ValidationError(error.description)
            }
        }

        private func settings() throws(RecordingError) -> RecordingAnalysis.Settings {
            var settings = RecordingAnalysis.Settings(sampleRate: rate)
            settings.encoding = format
            settings.scale = scale
            settings.units = units
            settings.shaftHz = shaftHz
            settings.bearing = try bearing.map { text throws(RecordingError) in try RecordingAnalysis.Settings.bearing(parsing: text) }
            settings.band = try band.map { text throws(RecordingError) in try RecordingAnalysis.Settings.band(parsing: text, sampleRate: rate) }
            settings.severity = .iso10816part3(group: machineGroup == 1 ? .one : .two, support: support)
            return settings
        }

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let settings: RecordingAnalysis.Settings
                do throws(RecordingError) { settings = try self.settings() } catch { throw .input(error.description) }
                let analysis = try VibrationCommands.analyze(path: file, settings: settings)
                var output = OutputSink()
                output.write(VibrationCommands.render(analysis, json: json))
                if let plot { try OutputSink.writeFile(VibrationCommands.svg(analysis), to: plot) }
            }
        }
    }
}
