import JSONText

/// A vibration recording analysed whole, as `vibration analyze` reports it on the full build and
/// on the firmware build alike: features, ISO velocity severity, the largest spectral lines and,
/// given a bearing and a shaft speed, the envelope diagnosis.
public struct RecordingAnalysis: Sendable {
    /// How samples are stored in a recording.
    public enum Encoding: String, CaseIterable, Sendable {
        /// 32-bit IEEE floats, little-endian.
        case f32le
        /// 16-bit signed integers, little-endian (times the scale).
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
    public struct Settings: Sendable {
        public var sampleRate: Double
        public var encoding = Encoding.f32le
        /// Units per count for ``Encoding/s16le``.
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
        /// - Throws: ``RecordingError`` naming the option and what it takes.
        public func validate() throws(RecordingError) {
            guard Self.sampleRates.contains(sampleRate) else {
                throw RecordingError("--rate must be a sample rate from \(format(Self.sampleRates.lowerBound, 0)) to \(format(Self.sampleRates.upperBound, 0)) Hz, found \(sampleRate)")
            }
            if let shaftHz, !(shaftHz > 0 && shaftHz < sampleRate / 2) {
                throw RecordingError("--shaft-hz must be a speed above 0 and below half the sample rate (\(format(sampleRate / 2, 0)) Hz), found \(shaftHz)")
            }
            guard scale.isFinite, scale != 0 else { throw RecordingError("--scale must be a finite number other than 0, found \(scale)") }
        }

        /// Parses `n=8,d=0.235,D=1.245,angle=0` (element count, element and pitch diameter in one
        /// unit, contact angle in degrees).
        public static func bearing(parsing text: String) throws(RecordingError) -> BearingGeometry {
            var values: [String: Double] = [:]
            for part in text.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
                guard pair.count == 2, ["n", "d", "D", "angle"].contains(pair[0]), let value = Double(pair[1]) else {
                    throw RecordingError("--bearing: expected n=COUNT,d=ELEMENT,D=PITCH[,angle=DEGREES], found '\(part)'")
                }
                values[pair[0]] = value
            }
            guard let n = values["n"], let d = values["d"], let pitch = values["D"], (3...1000).contains(n), n == n.rounded(),
                  d > 0, pitch > d, pitch.isFinite, (-90...90).contains(values["angle"] ?? 0) else {
                throw RecordingError("--bearing needs n (3 to 1000 elements), d and D with 0 < d < D, angle from -90 to 90, e.g. n=8,d=0.235,D=1.245,angle=0")
            }
            return BearingGeometry(rollingElements: Int(n), elementDiameter: d, pitchDiameter: pitch,
                                   contactAngleDegrees: values["angle"] ?? 0)
        }

        /// Parses a band `LOW-HIGH` in Hz, inside (0, sampleRate / 2).
        public static func band(parsing text: String, sampleRate: Double) throws(RecordingError) -> ClosedRange<Double> {
            let parts = text.split(separator: "-").map { Double($0.trimmingSpaces) }
            guard parts.count == 2, let low = parts[0], let high = parts[1], low > 0, high > low, high < sampleRate / 2 else {
                throw RecordingError("--band: expected LOW-HIGH in Hz with 0 < LOW < HIGH < \(format(sampleRate / 2, 0)), found '\(text)'")
            }
            return low...high
        }
    }

    /// The recording's name in the report (its path).
    public var name: String
    public var sampleCount: Int
    public var settings: Settings
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

    /// The fewest samples an analysis takes.
    public static let minimumSamples = 4096

    /// Runs the whole chain over samples in memory; `name` labels the report.
    /// - Throws: ``RecordingError`` for bad settings, a recording too short to analyse, a
    ///   sample that is not a number, or a bearing without a speed.
    public init(samples: [Float], named name: String, settings: Settings) throws(RecordingError) {
        try settings.validate()
        guard samples.count >= Self.minimumSamples else {
            throw RecordingError("\(name): \(samples.count) samples; the analysis needs at least \(Self.minimumSamples)")
        }
        if let bad = samples.firstIndex(where: { !$0.isFinite }) {
            throw RecordingError("\(name): sample \(bad) is \(samples[bad]); the analysis needs finite numbers")
        }
        if settings.bearing != nil && settings.shaftHz == nil {
            throw RecordingError("--bearing needs --shaft-hz (the nominal running speed) to place the defect frequencies")
        }
        var length = 1
        while length * 2 <= min(samples.count, 1 << 18) { length *= 2 }
        let rate = settings.sampleRate
        let features = samples.withUnsafeBufferPointer { Features($0) }
        // Velocity from a Welch PSD with bins of at most about 1.5 Hz.
        var frame = 1
        while frame * 2 <= min(samples.count, max(4096, Int(rate / 1.5))) { frame *= 2 }
        let welch = SpectrumAnalyzer(frameLength: frame, sampleRate: rate)
        var psd = [Double](repeating: 0, count: welch.binCount)
        samples.withUnsafeBufferPointer { input in psd.withUnsafeMutableBufferPointer { _ = welch.welch(input, into: $0) } }
        let band = 10...min(1000, 0.45 * rate)
        let velocity = psd.withUnsafeBufferPointer {
            PredictiveMaintenance.velocityRMS(accelerationPSD: SpectrumView(values: $0, resolution: welch.resolution),
                                              from: band.lowerBound, to: band.upperBound)
        } * settings.units.toMetresPerSecondSquared * 1000
        // Amplitude spectrum and envelope over the power-of-two record.
        let amplitude = SpectrumAnalyzer(frameLength: length, sampleRate: rate)
        var spectrum = [Double](repeating: 0, count: amplitude.binCount)
        let record = Array(samples.prefix(length))
        record.withUnsafeBufferPointer { input in spectrum.withUnsafeMutableBufferPointer { amplitude.amplitudeSpectrum(input, into: $0) } }
        let envelope = EnvelopeAnalyzer(length: length, sampleRate: rate)
        var diagnosis: BearingDiagnosis?
        if let bearing = settings.bearing, let shaft = settings.shaftHz {
            diagnosis = record.withUnsafeBufferPointer { envelope.diagnose($0, bearing: bearing, nominalShaftHz: shaft, band: settings.band) }
        } else {
            // No geometry: still the envelope spectrum, for the plot.
            _ = record.withUnsafeBufferPointer { envelope.envelopeSpectrum(of: $0, band: settings.band) }
        }
        self.name = name
        sampleCount = samples.count
        self.settings = settings
        self.features = features
        velocityRMS = velocity
        velocityBand = band
        zone = settings.severity.zone(velocityRMS: velocity)
        spectrumPeaks = spectrum.withUnsafeBufferPointer {
            SpectrumView(values: $0, resolution: amplitude.resolution).largestPeaks(5, from: 1, to: rate / 2)
        }
        runningSpeed = (diagnosis?.shaftHz ?? settings.shaftHz).map { shaft in
            psd.withUnsafeBufferPointer { RunningSpeedAmplitudes(psd: SpectrumView(values: $0, resolution: welch.resolution), shaftHz: shaft) }
        }
        recordLength = length
        self.spectrum = spectrum
        envelopeSpectrum = envelope.lastEnvelopeSpectrum
        resolution = amplitude.resolution
        self.diagnosis = diagnosis
    }

    /// The features by their names in reports, in report order.
    public var namedFeatures: [(name: String, value: Double)] {
        let f = features
        return [("mean", f.mean), ("rms", f.rms), ("peak", f.peak), ("peak_to_peak", f.peakToPeak), ("crest_factor", f.crestFactor),
                ("kurtosis", f.kurtosis), ("skewness", f.skewness), ("shape_factor", f.shapeFactor),
                ("impulse_factor", f.impulseFactor), ("clearance_factor", f.clearanceFactor), ("standard_deviation", f.standardDeviation)]
    }

    /// The analysis as one JSON object and a line feed.
    public var json: String {
        var w = JSONWriter()
        w.raw("{\"file\":"); w.string(name)
        w.key("samples"); w.integer(sampleCount)
        w.key("sample_rate_hz"); w.fixed(settings.sampleRate, decimals: 3)
        w.key("units"); w.string(settings.units.rawValue)
        w.key("verdict"); w.string((diagnosis?.verdict ?? .none).rawValue)
        w.key("evidence"); w.byte(UInt8(ascii: "["))
        if let diagnosis, let family = diagnosis.families.first(where: { $0.fault == diagnosis.verdict }) {
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
        for (index, feature) in namedFeatures.enumerated() {
            if index > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(feature.name); w.byte(UInt8(ascii: ":")); w.fixed(feature.value, decimals: 6)
        }
        w.byte(UInt8(ascii: "}"))
        w.key("velocity_rms_mm_s"); w.fixed(velocityRMS, decimals: 3)
        w.key("velocity_band_hz"); w.raw("["); w.fixed(velocityBand.lowerBound, decimals: 1); w.byte(UInt8(ascii: ","))
        w.fixed(velocityBand.upperBound, decimals: 1); w.raw("]")
        w.key("iso_zone"); w.string(zone.rawValue)
        w.key("iso_criteria"); w.string(settings.severity.source)
        w.key("spectrum_peaks"); Self.writePeaks(spectrumPeaks, into: &w)
        if let r = runningSpeed {
            w.key("running_speed_amplitudes"); w.raw("{\"1x\":"); w.fixed(r.one, decimals: 6)
            w.raw(",\"2x\":"); w.fixed(r.two, decimals: 6); w.raw(",\"3x\":"); w.fixed(r.three, decimals: 6); w.byte(UInt8(ascii: "}"))
        }
        if let d = diagnosis {
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
            w.key("envelope_lines"); Self.writePeaks(d.strongestLines, into: &w, median: d.medianLevel)
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
}

extension RecordingAnalysis.Encoding {
    /// The samples of a recording's bytes; `name` labels errors.
    /// - Throws: ``RecordingError`` naming the recording (and line, for CSV) and what was expected.
    public func samples(of bytes: [UInt8], named name: String, scale: Double = 1) throws(RecordingError) -> [Float] {
        switch self {
        case .f32le:
            guard bytes.count % 4 == 0 else { throw RecordingError("\(name): \(bytes.count) bytes is not a whole number of float32 samples") }
            return bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        case .s16le:
            guard bytes.count % 2 == 0 else { throw RecordingError("\(name): \(bytes.count) bytes is not a whole number of int16 samples") }
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
                    throw RecordingError("\(name):\(number + 1): expected a number in the first column, found '\(field)'")
                }
                headerAllowed = false
            }
            return samples
        }
    }
}

/// Input a recording analysis cannot take, said the way the command line reports it.
public struct RecordingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
