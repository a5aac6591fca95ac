import RealModule

/// Rolling-element bearing geometry (any one length unit for both diameters).
public struct BearingGeometry: Sendable, Equatable {
    public var rollingElements: Int
    public var elementDiameter: Double
    public var pitchDiameter: Double
    public var contactAngleDegrees: Double

    public init(rollingElements: Int, elementDiameter: Double, pitchDiameter: Double, contactAngleDegrees: Double = 0) {
        self.rollingElements = rollingElements
        self.elementDiameter = elementDiameter
        self.pitchDiameter = pitchDiameter
        self.contactAngleDegrees = contactAngleDegrees
    }

    /// The defect frequencies at shaft rate `shaftHz` (inner race turning, outer race fixed).
    public func defectFrequencies(shaftHz: Double) -> DefectFrequencies {
        let ratio = elementDiameter / pitchDiameter * Double.cos(contactAngleDegrees * .pi / 180)
        let n = Double(rollingElements)
        return DefectFrequencies(
            shaft: shaftHz,
            bpfo: n / 2 * shaftHz * (1 - ratio),
            bpfi: n / 2 * shaftHz * (1 + ratio),
            bsf: pitchDiameter / (2 * elementDiameter) * shaftHz * (1 - ratio * ratio),
            ftf: shaftHz / 2 * (1 - ratio))
    }
}

/// Characteristic frequencies of a bearing at one shaft speed, Hz.
public struct DefectFrequencies: Sendable, Equatable {
    public var shaft: Double
    /// Ball pass frequency, outer race.
    public var bpfo: Double
    /// Ball pass frequency, inner race.
    public var bpfi: Double
    /// Ball (rolling element) spin frequency.
    public var bsf: Double
    /// Fundamental train (cage) frequency.
    public var ftf: Double
}

/// A bearing fault verdict; raw values are the JSON names.
public enum BearingFault: String, Sendable, CaseIterable {
    case outerRace = "outer_race"
    case innerRace = "inner_race"
    case ball
    case cage
    case none
}

/// One line of an envelope spectrum that a fault family predicts.
public struct EvidenceLine: Sendable, Equatable {
    /// What the line is, e.g. "2x BPFO" or "1x BPFI - 1x shaft".
    public var label: String
    /// Where the family puts it, Hz.
    public var expectedFrequency: Double
    /// The strongest line found within the tolerance, Hz.
    public var frequency: Double
    public var amplitude: Double
    /// Amplitude over the median of the envelope spectrum.
    public var ratioToMedian: Double
}

/// The evidence for one fault family.
public struct FamilyEvidence: Sendable, Equatable {
    public var fault: BearingFault
    public var lines: [EvidenceLine]
    /// Sum of the ratios of the significant lines (0 when the fundamental is not significant).
    public var score: Double
}

/// The outcome of envelope analysis on one record.
public struct BearingDiagnosis: Sendable {
    public var verdict: BearingFault
    /// The shaft rate used: measured from the envelope spectrum near the nominal rate when a line
    /// stands out there, else the nominal rate.
    public var shaftHz: Double
    public var shaftMeasured: Bool
    public var frequencies: DefectFrequencies
    /// The demodulation band, Hz.
    public var band: ClosedRange<Double>
    /// Every family, best first.
    public var families: [FamilyEvidence]
    /// The strongest lines of the envelope spectrum below 500 Hz.
    public var strongestLines: [SpectralPeak]
    /// The envelope spectrum's median level (the reference of every ratio).
    public var medianLevel: Double
}

/// Envelope analysis of fixed-length records: band selection by spectral kurtosis (or a configured
/// band), Hilbert envelope through the FFT, envelope spectrum, and matching of the bearing's fault
/// families. Buffers are allocated at init.
public final class EnvelopeAnalyzer: @unchecked Sendable {
    /// Samples per record (a power of two keeps KissFFT fast).
    public let length: Int
    public let sampleRate: Double
    /// Relative tolerance when looking for a predicted line.
    public var tolerance = 0.02
    /// A line counts as significant at this many times the median level.
    public var significanceRatio = 4.0
    private let forward: ComplexFFT
    private let inverse: ComplexFFT
    private let envelopeSpectrum: SpectrumAnalyzer
    private let kurtosisFrame = 256
    private let kurtosisSpectrum: SpectrumAnalyzer
    private var signal: [ComplexSample]
    private var transformed: [ComplexSample]
    private var envelope: [Float]
    private var spectrum: [Double]
    private var kurtosisBins: [Double]

    /// Creates an analyzer for records of `length` samples at `sampleRate` Hz.
    public init(length: Int, sampleRate: Double) {
        self.length = length
        self.sampleRate = sampleRate
        forward = ComplexFFT(size: length)
        inverse = ComplexFFT(size: length, inverse: true)
        envelopeSpectrum = SpectrumAnalyzer(frameLength: length, sampleRate: sampleRate, window: .hann)
        kurtosisSpectrum = SpectrumAnalyzer(frameLength: kurtosisFrame, sampleRate: sampleRate, window: .hann)
        signal = Array(repeating: ComplexSample(real: 0, imaginary: 0), count: length)
        transformed = signal
        envelope = Array(repeating: 0, count: length)
        spectrum = Array(repeating: 0, count: length / 2 + 1)
        kurtosisBins = Array(repeating: 0, count: kurtosisFrame / 2 + 1)
    }

    /// Hz between envelope-spectrum bins.
    public var resolution: Double { sampleRate / Double(length) }

    /// The band whose spectral kurtosis is highest: the spectral kurtosis of short frames
    /// (256 samples, 50 % overlap) per bin, smoothed over three bins; the band spans the bins
    /// around the maximum that reach half of it, at least 1/64 of the sample rate wide.
    public func impulsiveBand(_ samples: UnsafeBufferPointer<Float>) -> ClosedRange<Double> {
        let bins = kurtosisFrame / 2 + 1
        var second = [Double](repeating: 0, count: bins)
        var fourth = [Double](repeating: 0, count: bins)
        var frames = 0
        var start = 0
        kurtosisBins.withUnsafeMutableBufferPointer { amplitude in
            while start + kurtosisFrame <= samples.count {
                kurtosisSpectrum.amplitudeSpectrum(UnsafeBufferPointer(rebasing: samples[start..<(start + kurtosisFrame)]), into: amplitude)
                for index in 0..<bins {
                    let power = amplitude[index] * amplitude[index]
                    second[index] += power
                    fourth[index] += power * power
                }
                frames += 1
                start += kurtosisFrame / 2
            }
        }
        let binWidth = sampleRate / Double(kurtosisFrame)
        var kurtosis = [Double](repeating: 0, count: bins)
        for index in 1..<(bins - 1) where second[index] > 0 {
            kurtosis[index] = Double(frames) * fourth[index] / (second[index] * second[index]) - 2
        }
        var smoothed = kurtosis
        for index in 1..<(bins - 1) { smoothed[index] = (kurtosis[index - 1] + kurtosis[index] + kurtosis[index + 1]) / 3 }
        // Ignore the lowest kilohertz, where shaft harmonics and structural modes dominate.
        let firstBin = max(1, Int(1000 / binWidth))
        var best = firstBin
        for index in firstBin..<(bins - 1) where smoothed[index] > smoothed[best] { best = index }
        var low = best, high = best
        while low > firstBin && smoothed[low - 1] >= smoothed[best] / 2 { low -= 1 }
        while high < bins - 2 && smoothed[high + 1] >= smoothed[best] / 2 { high += 1 }
        let minimumWidth = sampleRate / 64
        var lowHz = Double(low) * binWidth - binWidth / 2, highHz = Double(high) * binWidth + binWidth / 2
        if highHz - lowHz < minimumWidth {
            let centre = (lowHz + highHz) / 2
            lowHz = centre - minimumWidth / 2
            highHz = centre + minimumWidth / 2
        }
        return max(binWidth, lowHz)...min(sampleRate / 2 - binWidth, highHz)
    }

    /// Diagnoses one record of ``length`` samples.
    /// - Parameters:
    ///   - band: the demodulation band; nil chooses it by spectral kurtosis.
    ///   - nominalShaftHz: the running speed as configured or from a tachometer.
    public func diagnose(_ samples: UnsafeBufferPointer<Float>, bearing: BearingGeometry, nominalShaftHz: Double,
                         band: ClosedRange<Double>? = nil) -> BearingDiagnosis {
        precondition(samples.count == length, "a record has `length` samples")
        let band = band ?? impulsiveBand(samples)
        computeEnvelopeSpectrum(samples, band: band)
        return spectrum.withUnsafeBufferPointer { values in
            let view = SpectrumView(values: values, resolution: resolution)
            let median = view.median(from: 1, to: 1000)
            // Measure the shaft rate where the envelope shows it; else trust the nominal rate.
            var shaftHz = nominalShaftHz
            var measured = false
            if let line = view.strongest(from: nominalShaftHz * 0.95, to: nominalShaftHz * 1.05),
               line.amplitude >= significanceRatio * median {
                shaftHz = line.frequency
                measured = true
            }
            let frequencies = bearing.defectFrequencies(shaftHz: shaftHz)
            var families = [
                evidence(.outerRace, fundamental: frequencies.bpfo, name: "BPFO", sidebands: nil, view, median),
                evidence(.innerRace, fundamental: frequencies.bpfi, name: "BPFI", sidebands: shaftHz, view, median),
                evidence(.ball, fundamental: frequencies.bsf, name: "BSF", sidebands: frequencies.ftf, view, median),
                evidence(.cage, fundamental: frequencies.ftf, name: "FTF", sidebands: nil, view, median),
            ]
            families.sort { $0.score > $1.score }
            let verdict = families[0].score > 0 ? families[0].fault : .none
            return BearingDiagnosis(verdict: verdict, shaftHz: shaftHz, shaftMeasured: measured, frequencies: frequencies,
                                    band: band, families: families,
                                    strongestLines: view.largestPeaks(5, from: 1, to: 500), medianLevel: median)
        }
    }

    /// The envelope spectrum of the last diagnosed record (amplitude, ``resolution`` Hz per bin).
    public var lastEnvelopeSpectrum: [Double] { spectrum }

    /// Harmonics 1-3 of a family, and for inner race and ball the +-1 sidebands of the first two
    /// harmonics (shaft rate and cage rate modulate them). The family scores when its fundamental
    /// or second harmonic is significant and at least two of its lines are.
    private func evidence(_ fault: BearingFault, fundamental: Double, name: String, sidebands: Double?,
                          _ view: SpectrumView, _ median: Double) -> FamilyEvidence {
        var lines: [EvidenceLine] = []
        func look(_ label: String, at frequency: Double) {
            let width = max(frequency * tolerance, 1.5 * view.resolution)
            guard let peak = view.strongest(from: frequency - width, to: frequency + width) else { return }
            lines.append(EvidenceLine(label: label, expectedFrequency: frequency, frequency: peak.frequency,
                                      amplitude: peak.amplitude, ratioToMedian: median > 0 ? peak.amplitude / median : 0))
        }
        for harmonic in 1...3 {
            look("\(harmonic)x \(name)", at: Double(harmonic) * fundamental)
            if let sidebands, harmonic <= 2 {
                look("\(harmonic)x \(name) - sideband", at: Double(harmonic) * fundamental - sidebands)
                look("\(harmonic)x \(name) + sideband", at: Double(harmonic) * fundamental + sidebands)
            }
        }
        let significant = lines.filter { $0.ratioToMedian >= significanceRatio }
        let anchored = lines.contains {
            ($0.label == "1x \(name)" || $0.label == "2x \(name)") && $0.ratioToMedian >= significanceRatio
        }
        let score = anchored && significant.count >= 2 ? significant.reduce(0) { $0 + $1.ratioToMedian } : 0
        return FamilyEvidence(fault: fault, lines: lines, score: score)
    }

    /// The envelope of `samples` (``length`` of them) in `band`: the magnitude of the band-limited
    /// analytic signal, made through the FFT (negative frequencies and everything outside the band
    /// zeroed, the band doubled). With the whole band it is `abs(scipy.signal.hilbert(x))`.
    public func envelope(of samples: UnsafeBufferPointer<Float>, band: ClosedRange<Double>,
                         into output: UnsafeMutableBufferPointer<Float>) {
        precondition(samples.count == length && output.count == length, "a record has `length` samples")
        for index in 0..<length { signal[index] = ComplexSample(real: samples[index], imaginary: 0) }
        signal.withUnsafeBufferPointer { input in
            transformed.withUnsafeMutableBufferPointer { forward.transform(input, into: $0) }
        }
        let low = Int((band.lowerBound / resolution).rounded(.up)), high = Int((band.upperBound / resolution).rounded(.down))
        for index in 0..<length {
            if index == 0 && low == 0 || index == length / 2 && high >= length / 2 {
                continue // DC and Nyquist stay single, as in the analytic signal
            } else if index >= low && index <= high && index < length / 2 {
                transformed[index].real *= 2
                transformed[index].imaginary *= 2
            } else {
                transformed[index] = ComplexSample(real: 0, imaginary: 0)
            }
        }
        transformed.withUnsafeBufferPointer { input in
            signal.withUnsafeMutableBufferPointer { inverse.transform(input, into: $0) }
        }
        let scale = 1 / Float(length)
        for index in 0..<length { output[index] = signal[index].magnitude * scale }
    }

    /// The envelope in `band` and the Hann amplitude spectrum of it.
    private func computeEnvelopeSpectrum(_ samples: UnsafeBufferPointer<Float>, band: ClosedRange<Double>) {
        envelope.withUnsafeMutableBufferPointer { envelope(of: samples, band: band, into: $0) }
        envelope.withUnsafeBufferPointer { input in
            spectrum.withUnsafeMutableBufferPointer { envelopeSpectrum.amplitudeSpectrum(input, into: $0) }
        }
    }
}
