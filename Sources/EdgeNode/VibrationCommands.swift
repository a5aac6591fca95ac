import JSONText
import NMEAParser
import PredictiveMaintenance

/// What `edge-node vibration analyze` does, callable from tests: the recording read from a file,
/// analysed by ``RecordingAnalysis`` (which the firmware build runs too), and drawn as text or SVG.
public enum VibrationCommands {
    /// Reads a recording.
    /// - Throws: ``EdgeNodeError`` naming the file (and line, for CSV) and what was expected.
    public static func readSamples(path: String, encoding: RecordingAnalysis.Encoding, scale: Double = 1) throws(EdgeNodeError) -> [Float] {
        let bytes = try ByteSource(path: path).readAll()
        do {
            return try encoding.samples(of: bytes, named: path, scale: scale)
        } catch {
            throw .input(error.description)
        }
    }

    /// Runs the whole chain over a recording.
    /// - Throws: ``EdgeNodeError`` for unreadable input or a recording the analysis cannot take.
    public static func analyze(path: String, settings: RecordingAnalysis.Settings) throws(EdgeNodeError) -> RecordingAnalysis {
        try analyze(samples: readSamples(path: path, encoding: settings.encoding, scale: settings.scale), named: path, settings: settings)
    }

    /// Runs the whole chain over samples already in memory; `name` labels the report.
    /// - Throws: ``EdgeNodeError`` for a recording the analysis cannot take.
    public static func analyze(samples: [Float], named name: String, settings: RecordingAnalysis.Settings) throws(EdgeNodeError) -> RecordingAnalysis {
        do {
            return try RecordingAnalysis(samples: samples, named: name, settings: settings)
        } catch {
            throw .input(error.description)
        }
    }

    /// The analysis as text, or as one JSON object.
    public static func render(_ analysis: RecordingAnalysis, json: Bool) -> String {
        json ? analysis.json : renderText(analysis)
    }

    private static func renderText(_ a: RecordingAnalysis) -> String {
        let unit = a.settings.units.rawValue
        var text = "\(a.name): \(a.sampleCount) samples at \(format(a.settings.sampleRate, 1)) Hz "
        text += "(\(format(Double(a.sampleCount) / a.settings.sampleRate, 3)) s), units \(unit)\n\n"
        text += "features (kurtosis is Pearson's: Gaussian = 3)\n"
        for (name, value) in a.namedFeatures { text += "  \(name.padding(20))\(format(value, 6))\n" }
        let c = a.settings.severity
        text += "\nseverity\n  velocity RMS \(format(a.velocityBand.lowerBound, 0))-\(format(a.velocityBand.upperBound, 0)) Hz  "
        text += "\(format(a.velocityRMS, 3)) mm/s -> zone \(a.zone.rawValue): \(a.zone.meaning)\n"
        text += "  limits A/B \(format(c.boundaryAB, 2)), B/C \(format(c.boundaryBC, 2)), C/D \(format(c.boundaryCD, 2)) mm/s (\(c.source))\n"
        if let r = a.runningSpeed {
            text += "  running speed 1x \(format(r.one, 6)), 2x \(format(r.two, 6)), 3x \(format(r.three, 6)) \(unit)\n"
        }
        text += "\nstrongest spectral lines\n"
        for peak in a.spectrumPeaks { text += "  \((format(peak.frequency, 2) + " Hz").padding(14))\(format(peak.amplitude, 6)) \(unit)\n" }
        guard let d = a.diagnosis else {
            return text + "\nverdict: none (give --bearing and --shaft-hz for a bearing diagnosis)\n"
        }
        text += "\nenvelope analysis, band \(format(d.band.lowerBound, 0))-\(format(d.band.upperBound, 0)) Hz"
        text += a.settings.band == nil ? " (highest spectral kurtosis)\n" : " (configured)\n"
        text += "  shaft \(format(d.shaftHz, 3)) Hz (" + (d.shaftMeasured ? "measured from the envelope spectrum" : "nominal") + ")\n"
        let f = d.frequencies
        text += "  BPFO \(format(f.bpfo, 2))  BPFI \(format(f.bpfi, 2))  BSF \(format(f.bsf, 2))  FTF \(format(f.ftf, 2)) Hz\n"
        text += "  strongest envelope lines:"
        for line in d.strongestLines { text += "  \(format(line.frequency, 2)) Hz (\(format(line.amplitude / d.medianLevel, 1))x)" }
        text += "\n\nverdict: \(d.verdict.rawValue.replacing("_", with: " "))\n"
        if let family = d.families.first(where: { $0.fault == d.verdict }), d.verdict != .none {
            for line in family.lines where line.ratioToMedian >= 1 {
                text += "  \(line.label.padding(22))\((format(line.frequency, 2) + " Hz").padding(11))(expected \(format(line.expectedFrequency, 2)))"
                text += "  \(format(line.ratioToMedian, 1))x median\n"
            }
        }
        return text
    }

    /// An SVG drawing: the amplitude spectrum, and the envelope spectrum to 500 Hz with the
    /// defect frequencies (1x-3x) marked.
    public static func svg(_ a: RecordingAnalysis) -> String {
        let width = 960.0, panel = 300.0, margin = 50.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(2 * panel + 40))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        func plot(_ values: [Double], resolution: Double, upTo maxHz: Double, top: Double, title: String, markers: [(Double, String, String)]) {
            let bins = min(values.count, Int(maxHz / resolution) + 1)
            let peak = max(values[1..<bins].max() ?? 1, 1e-12)
            let plotWidth = width - 2 * margin, plotHeight = panel - 2 * margin
            func x(_ hz: Double) -> Double { margin + hz / maxHz * plotWidth }
            func y(_ value: Double) -> Double { top + margin + plotHeight * (1 - value / peak) }
            svg += "<text x=\"\(margin)\" y=\"\(top + 20)\" font-weight=\"bold\">\(title)</text>\n"
            svg += "<rect x=\"\(margin)\" y=\"\(top + margin)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#888\"/>\n"
            for (hz, label, colour) in markers where hz < maxHz {
                svg += "<line x1=\"\(x(hz))\" y1=\"\(top + margin)\" x2=\"\(x(hz))\" y2=\"\(top + panel - margin)\" stroke=\"\(colour)\" stroke-dasharray=\"4 3\"/>"
                svg += "<text x=\"\(x(hz) + 2)\" y=\"\(top + margin + 12)\" fill=\"\(colour)\">\(label)</text>\n"
            }
            // At most one point per pixel column: the largest value in it.
            var points = ""
            let columns = Int(plotWidth)
            for column in 0..<columns {
                let first = column * bins / columns, last = max(first + 1, (column + 1) * bins / columns)
                let value = values[first..<min(last, bins)].max() ?? 0
                points += "\(format(margin + Double(column), 1)),\(format(y(value), 1)) "
            }
            svg += "<polyline fill=\"none\" stroke=\"#1f4e9c\" points=\"\(points)\"/>\n"
            for tick in 0...5 {
                let hz = maxHz * Double(tick) / 5
                svg += "<text x=\"\(x(hz) - 10)\" y=\"\(top + panel - margin + 16)\">\(format(hz, 0))</text>"
            }
            svg += "<text x=\"\(width - margin - 20)\" y=\"\(top + panel - margin + 30)\">Hz</text>\n"
        }
        plot(a.spectrum, resolution: a.resolution, upTo: a.settings.sampleRate / 2, top: 0,
             title: "Amplitude spectrum (\(a.settings.units.rawValue)), \(a.recordLength) samples, Hann", markers: [])
        var markers: [(Double, String, String)] = []
        if let d = a.diagnosis {
            let families: [(Double, String, String)] = [(d.frequencies.bpfo, "BPFO", "#c0392b"), (d.frequencies.bpfi, "BPFI", "#27ae60"),
                                                        (d.frequencies.bsf, "BSF", "#8e44ad"), (d.frequencies.ftf, "FTF", "#d35400")]
            for (hz, name, colour) in families {
                for harmonic in 1...3 { markers.append((hz * Double(harmonic), harmonic == 1 ? name : "\(harmonic)x", colour)) }
            }
            markers.append((d.shaftHz, "1x shaft", "#555"))
        }
        let envelopeResolution = a.settings.sampleRate / Double(a.recordLength)
        plot(a.envelopeSpectrum, resolution: envelopeResolution, upTo: 500, top: panel + 20,
             title: "Envelope spectrum" + (a.diagnosis.map { ", band \(format($0.band.lowerBound, 0))-\(format($0.band.upperBound, 0)) Hz, verdict \($0.verdict.rawValue)" } ?? ""),
             markers: markers)
        return svg + "</svg>\n"
    }
}
