import JSONText
import NMEAParser
import PredictiveMaintenance

/// What `edge-node vibration analyze` does, callable from tests.
public enum VibrationCommands {
    /// How samples are stored in a recording.
    public enum SampleFormat: String, CaseIterable, Sendable {
        /// 32-bit IEEE floats, little-endian.
        case f32le
        /// 16-bit signed integers, little-endian (times --scale).
        case s16le
        /// Text: one sample per line (the first column); a header line and `#` comments are skipped.
        case csv
    }

    /// The unit of the samples.
    public enum Units: String, CaseIterable, Sendable {
        case g
        case metresPerSecondSquared = "m/s2"

        var toMetresPerSecondSquared: Double { self == .g ? 9.80665 : 1 }
    }

    /// The settings of one analysis.
    public struct AnalyzeOptions: Sendable {
        public var sampleRate: Double
        public var format = SampleFormat.f32le
        /// Units per count for ``SampleFormat/s16le``.
        public var scale = 1.0
        public var units = Units.g
        /// Nominal shaft rate, Hz (refined from the envelope spectrum when a line stands out).
        public var shaftHz: Double?
        public var bearing: BearingGeometry?
        /// The demodulation band; nil chooses it by spectral kurtosis.
        public var band: ClosedRange<Double>?
        public var severity = SeverityCriteria.iso10816part3(group: .two, support: .rigid)

        public init(sampleRate: Double) { self.sampleRate = sampleRate }

        /// The sample rates the analysis takes: the velocity band starts at 10 Hz, so its Nyquist
        /// frequency must be above that; DAQ front ends stop well below the upper bound.
        public static let sampleRates = 50.0...10_000_000

        /// Checks the numbers before any analysis runs on them.
        /// - Throws: ``EdgeNodeError/input(_:)`` naming the option and what it takes.
        public func validate() throws(EdgeNodeError) {
            guard Self.sampleRates.contains(sampleRate) else {
                throw .input("--rate must be a sample rate from \(EdgeNode.format(Self.sampleRates.lowerBound, 0)) to \(EdgeNode.format(Self.sampleRates.upperBound, 0)) Hz, found \(sampleRate)")
            }
            if let shaftHz, !(shaftHz > 0 && shaftHz < sampleRate / 2) {
                throw .input("--shaft-hz must be a speed above 0 and below half the sample rate (\(EdgeNode.format(sampleRate / 2, 0)) Hz), found \(shaftHz)")
            }
            guard scale.isFinite, scale != 0 else { throw .input("--scale must be a finite number other than 0, found \(scale)") }
        }
    }

    /// Everything the analysis found.
    public struct Analysis: Sendable {
        public var file: String
        public var sampleCount: Int
        public var options: AnalyzeOptions
        public var features: Features
        /// Broadband velocity RMS, mm/s, and its band.
        public var velocityRMS: Double
        public var velocityBand: ClosedRange<Double>
        public var zone: SeverityZone
        /// The largest lines of the acceleration spectrum.
        public var spectrumPeaks: [SpectralPeak]
        /// Amplitudes at 1x, 2x and 3x the shaft rate (measured when the envelope showed it).
        public var runningSpeed: RunningSpeedAmplitudes?
        /// Samples used for the spectra and the envelope (a power of two).
        public var recordLength: Int
        /// Amplitude spectrum of the record and envelope spectrum, with their bin width.
        public var spectrum: [Double]
        public var envelopeSpectrum: [Double]
        public var resolution: Double
        /// The bearing diagnosis, when a bearing and a shaft rate were given.
        public var diagnosis: BearingDiagnosis?
    }

    /// Parses `n=8,d=0.235,D=1.245,angle=0` (element count, element and pitch diameter in one
    /// unit, contact angle in degrees).
    public static func parseBearing(_ text: String) throws(EdgeNodeError) -> BearingGeometry {
        var values: [String: Double] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard pair.count == 2, ["n", "d", "D", "angle"].contains(pair[0]), let value = Double(pair[1]) else {
                throw .input("--bearing: expected n=COUNT,d=ELEMENT,D=PITCH[,angle=DEGREES], found '\(part)'")
            }
            values[pair[0]] = value
        }
        guard let n = values["n"], let d = values["d"], let pitch = values["D"], (3...1000).contains(n), n == n.rounded(),
              d > 0, pitch > d, pitch.isFinite, (-90...90).contains(values["angle"] ?? 0) else {
            throw .input("--bearing needs n (3 to 1000 elements), d and D with 0 < d < D, angle from -90 to 90, e.g. n=8,d=0.235,D=1.245,angle=0")
        }
        return BearingGeometry(rollingElements: Int(n), elementDiameter: d, pitchDiameter: pitch,
                               contactAngleDegrees: values["angle"] ?? 0)
    }

    /// Parses a band `LOW-HIGH` in Hz, inside (0, sampleRate / 2).
    public static func parseBand(_ text: String, sampleRate: Double) throws(EdgeNodeError) -> ClosedRange<Double> {
        let parts = text.split(separator: "-").map { Double($0.trimmingSpaces) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low > 0, high > low, high < sampleRate / 2 else {
            throw .input("--band: expected LOW-HIGH in Hz with 0 < LOW < HIGH < \(format(sampleRate / 2, 0)), found '\(text)'")
        }
        return low...high
    }

    /// Reads a recording.
    /// - Throws: ``EdgeNodeError`` naming the file (and line, for CSV) and what was expected.
    public static func readSamples(path: String, format: SampleFormat, scale: Double = 1) throws(EdgeNodeError) -> [Float] {
        let bytes = try ByteSource(path: path).readAll()
        switch format {
        case .f32le:
            guard bytes.count % 4 == 0 else { throw .input("\(path): \(bytes.count) bytes is not a whole number of float32 samples") }
            return bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        case .s16le:
            guard bytes.count % 2 == 0 else { throw .input("\(path): \(bytes.count) bytes is not a whole number of int16 samples") }
            return bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 2)).map { Float(Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) * scale) }
            }
        case .csv:
            var samples: [Float] = []
            var headerAllowed = true
            for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                let text = String(decoding: line, as: UTF8.self).trimmingSpaces
                guard !text.isEmpty, !text.hasPrefix("#") else { continue }
                let field = text.split(whereSeparator: { ",; \t".contains($0) }).first.map(String.init) ?? ""
                if let value = Double(field) {
                    samples.append(Float(value))
                } else if !headerAllowed {
                    throw .input("\(path):\(number + 1): expected a number in the first column, found '\(field)'")
                }
                headerAllowed = false
            }
            return samples
        }
    }

    /// Runs the whole chain over a recording.
    /// - Throws: ``EdgeNodeError`` for unreadable input or a recording too short to analyse.
    public static func analyze(path: String, options: AnalyzeOptions) throws(EdgeNodeError) -> Analysis {
        try analyze(samples: readSamples(path: path, format: options.format, scale: options.scale), named: path, options: options)
    }

    /// Runs the whole chain over samples already in memory; `name` labels the report.
    /// - Throws: ``EdgeNodeError`` for a recording too short to analyse or a bearing without a speed.
    public static func analyze(samples: [Float], named path: String, options: AnalyzeOptions) throws(EdgeNodeError) -> Analysis {
        try options.validate()
        let minimum = 4096
        guard samples.count >= minimum else {
            throw .input("\(path): \(samples.count) samples; the analysis needs at least \(minimum)")
        }
        if let bad = samples.firstIndex(where: { !$0.isFinite }) {
            throw .input("\(path): sample \(bad) is \(samples[bad]); the analysis needs finite numbers")
        }
        if options.bearing != nil && options.shaftHz == nil {
            throw .input("--bearing needs --shaft-hz (the nominal running speed) to place the defect frequencies")
        }
        var length = 1
        while length * 2 <= min(samples.count, 1 << 18) { length *= 2 }
        let rate = options.sampleRate
        let features = samples.withUnsafeBufferPointer { Features($0) }
        // Velocity from a Welch PSD with bins of at most about 1.5 Hz.
        var frame = 1
        while frame * 2 <= min(samples.count, max(4096, Int(rate / 1.5))) { frame *= 2 }
        let welch = SpectrumAnalyzer(frameLength: frame, sampleRate: rate)
        var psd = [Double](repeating: 0, count: welch.binCount)
        samples.withUnsafeBufferPointer { input in psd.withUnsafeMutableBufferPointer { _ = welch.welch(input, into: $0) } }
        let band = 10...min(1000, 0.45 * rate)
        let velocity = psd.withUnsafeBufferPointer {
            velocityRMS(accelerationPSD: SpectrumView(values: $0, resolution: welch.resolution), from: band.lowerBound, to: band.upperBound)
        } * options.units.toMetresPerSecondSquared * 1000
        func runningSpeed(_ shaft: Double) -> RunningSpeedAmplitudes {
            psd.withUnsafeBufferPointer { RunningSpeedAmplitudes(psd: SpectrumView(values: $0, resolution: welch.resolution), shaftHz: shaft) }
        }
        // Amplitude spectrum and envelope over the power-of-two record.
        let amplitude = SpectrumAnalyzer(frameLength: length, sampleRate: rate)
        var spectrum = [Double](repeating: 0, count: amplitude.binCount)
        let record = Array(samples.prefix(length))
        record.withUnsafeBufferPointer { input in spectrum.withUnsafeMutableBufferPointer { amplitude.amplitudeSpectrum(input, into: $0) } }
        let peaks = spectrum.withUnsafeBufferPointer {
            SpectrumView(values: $0, resolution: amplitude.resolution).largestPeaks(5, from: 1, to: rate / 2)
        }
        let envelope = EnvelopeAnalyzer(length: length, sampleRate: rate)
        var diagnosis: BearingDiagnosis?
        if let bearing = options.bearing, let shaft = options.shaftHz {
            diagnosis = record.withUnsafeBufferPointer { envelope.diagnose($0, bearing: bearing, nominalShaftHz: shaft, band: options.band) }
        } else {
            // No geometry: still the envelope spectrum, for the plot.
            _ = record.withUnsafeBufferPointer { envelope.envelopeSpectrum(of: $0, band: options.band) }
        }
        return Analysis(file: path, sampleCount: samples.count, options: options, features: features, velocityRMS: velocity,
                        velocityBand: band, zone: options.severity.zone(velocityRMS: velocity), spectrumPeaks: peaks,
                        runningSpeed: (diagnosis?.shaftHz ?? options.shaftHz).map(runningSpeed),
                        recordLength: length, spectrum: spectrum, envelopeSpectrum: envelope.lastEnvelopeSpectrum,
                        resolution: amplitude.resolution, diagnosis: diagnosis)
    }

    /// The analysis as text, or as one JSON object.
    public static func render(_ analysis: Analysis, json: Bool) -> String {
        json ? renderJSON(analysis) : renderText(analysis)
    }

    private static func featureList(_ f: Features) -> [(String, Double)] {
        [("mean", f.mean), ("rms", f.rms), ("peak", f.peak), ("peak_to_peak", f.peakToPeak), ("crest_factor", f.crestFactor),
         ("kurtosis", f.kurtosis), ("skewness", f.skewness), ("shape_factor", f.shapeFactor),
         ("impulse_factor", f.impulseFactor), ("clearance_factor", f.clearanceFactor), ("standard_deviation", f.standardDeviation)]
    }

    private static func renderJSON(_ a: Analysis) -> String {
        var w = JSONWriter()
        w.raw("{\"file\":"); w.string(a.file)
        w.key("samples"); w.integer(a.sampleCount)
        w.key("sample_rate_hz"); w.fixed(a.options.sampleRate, decimals: 3)
        w.key("units"); w.string(a.options.units.rawValue)
        w.key("verdict"); w.string((a.diagnosis?.verdict ?? .none).rawValue)
        w.key("evidence"); w.byte(UInt8(ascii: "["))
        if let diagnosis = a.diagnosis, let family = diagnosis.families.first(where: { $0.fault == diagnosis.verdict }) {
            for (index, line) in family.lines.filter({ $0.ratioToMedian >= 1 }).enumerated() {
                if index > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"line\":"); w.string(line.label)
                w.key("expected_hz"); w.fixed(line.expectedFrequency, decimals: 3)
                w.key("frequency_hz"); w.fixed(line.frequency, decimals: 3)
                w.key("amplitude"); w.fixed(line.amplitude, decimals: 6)
                w.key("ratio_to_median"); w.fixed(line.ratioToMedian, decimals: 2)
                w.byte(UInt8(ascii: "}"))
            }
        }
        w.byte(UInt8(ascii: "]"))
        w.key("features"); w.byte(UInt8(ascii: "{"))
        for (index, (name, value)) in featureList(a.features).enumerated() {
            if index > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(name); w.byte(UInt8(ascii: ":")); w.fixed(value, decimals: 6)
        }
        w.byte(UInt8(ascii: "}"))
        w.key("velocity_rms_mm_s"); w.fixed(a.velocityRMS, decimals: 3)
        w.key("velocity_band_hz"); w.raw("["); w.fixed(a.velocityBand.lowerBound, decimals: 1); w.byte(UInt8(ascii: ","))
        w.fixed(a.velocityBand.upperBound, decimals: 1); w.raw("]")
        w.key("iso_zone"); w.string(a.zone.rawValue)
        w.key("iso_criteria"); w.string(a.options.severity.source)
        w.key("spectrum_peaks"); writePeaks(a.spectrumPeaks, into: &w)
        if let r = a.runningSpeed {
            w.key("running_speed_amplitudes"); w.raw("{\"1x\":"); w.fixed(r.one, decimals: 6)
            w.raw(",\"2x\":"); w.fixed(r.two, decimals: 6); w.raw(",\"3x\":"); w.fixed(r.three, decimals: 6); w.byte(UInt8(ascii: "}"))
        }
        if let d = a.diagnosis {
            w.key("shaft_hz"); w.fixed(d.shaftHz, decimals: 3)
            w.key("shaft_measured"); w.raw(d.shaftMeasured ? "true" : "false")
            w.key("band_hz"); w.raw("["); w.fixed(d.band.lowerBound, decimals: 1); w.byte(UInt8(ascii: ","))
            w.fixed(d.band.upperBound, decimals: 1); w.raw("]")
            w.key("defect_frequencies_hz"); w.raw("{\"bpfo\":"); w.fixed(d.frequencies.bpfo, decimals: 3)
            w.key("bpfi"); w.fixed(d.frequencies.bpfi, decimals: 3)
            w.key("bsf"); w.fixed(d.frequencies.bsf, decimals: 3)
            w.key("ftf"); w.fixed(d.frequencies.ftf, decimals: 3); w.byte(UInt8(ascii: "}"))
            w.key("scores"); w.byte(UInt8(ascii: "{"))
            for (index, family) in d.families.enumerated() {
                if index > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(family.fault.rawValue); w.byte(UInt8(ascii: ":")); w.fixed(family.score, decimals: 2)
            }
            w.byte(UInt8(ascii: "}"))
            w.key("envelope_lines"); writePeaks(d.strongestLines, into: &w, median: d.medianLevel)
        }
        w.raw("}\n")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private static func writePeaks(_ peaks: [SpectralPeak], into w: inout JSONWriter, median: Double? = nil) {
        w.byte(UInt8(ascii: "["))
        for (index, peak) in peaks.enumerated() {
            if index > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"frequency_hz\":"); w.fixed(peak.frequency, decimals: 3)
            w.key("amplitude"); w.fixed(peak.amplitude, decimals: 6)
            if let median, median > 0 { w.key("ratio_to_median"); w.fixed(peak.amplitude / median, decimals: 2) }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
    }

    private static func renderText(_ a: Analysis) -> String {
        let unit = a.options.units.rawValue
        var text = "\(a.file): \(a.sampleCount) samples at \(format(a.options.sampleRate, 1)) Hz "
        text += "(\(format(Double(a.sampleCount) / a.options.sampleRate, 3)) s), units \(unit)\n\n"
        text += "features (kurtosis is Pearson's: Gaussian = 3)\n"
        for (name, value) in featureList(a.features) { text += "  \(name.padding(20))\(format(value, 6))\n" }
        let c = a.options.severity
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
        text += a.options.band == nil ? " (highest spectral kurtosis)\n" : " (configured)\n"
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
    public static func svg(_ a: Analysis) -> String {
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
        plot(a.spectrum, resolution: a.resolution, upTo: a.options.sampleRate / 2, top: 0,
             title: "Amplitude spectrum (\(a.options.units.rawValue)), \(a.recordLength) samples, Hann", markers: [])
        var markers: [(Double, String, String)] = []
        if let d = a.diagnosis {
            let families: [(Double, String, String)] = [(d.frequencies.bpfo, "BPFO", "#c0392b"), (d.frequencies.bpfi, "BPFI", "#27ae60"),
                                                        (d.frequencies.bsf, "BSF", "#8e44ad"), (d.frequencies.ftf, "FTF", "#d35400")]
            for (hz, name, colour) in families {
                for harmonic in 1...3 { markers.append((hz * Double(harmonic), harmonic == 1 ? name : "\(harmonic)x", colour)) }
            }
            markers.append((d.shaftHz, "1x shaft", "#555"))
        }
        let envelopeResolution = a.options.sampleRate / Double(a.recordLength)
        plot(a.envelopeSpectrum, resolution: envelopeResolution, upTo: 500, top: panel + 20,
             title: "Envelope spectrum" + (a.diagnosis.map { ", band \(format($0.band.lowerBound, 0))-\(format($0.band.upperBound, 0)) Hz, verdict \($0.verdict.rawValue)" } ?? ""),
             markers: markers)
        return svg + "</svg>\n"
    }
}

extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
