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
    /// What the line is, e.g. "2x BPFO" or "1x BPFI - sideband".
    public var label: String
    /// Which multiple of the family's fundamental (1, 2, 3; 1, 2, 4 for the ball family).
    public var harmonic: Int
    /// -1 or +1 for the lower or upper sideband, 0 for the harmonic itself.
    public var sideband: Int
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
    /// Mean ratio to the median over the family's predicted lines, insignificant lines counting 0
    /// (0 when neither the fundamental nor the second harmonic is significant).
    public var score: Double

    /// The line at the fundamental itself, when one was found.
    public var fundamentalLine: EvidenceLine? { lines.first { $0.harmonic == 1 && $0.sideband == 0 } }
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
/// families. Buffers are allocated at init; ``envelopeVerdict(_:bearing:shaftHz:band:)`` allocates
/// nothing, ``diagnose(_:bearing:nominalShaftHz:band:)`` only its report.
public final class EnvelopeAnalyzer: @unchecked Sendable {
    /// Samples per record (a power of two keeps KissFFT fast).
    public let length: Int
    public let sampleRate: Double
    /// Relative tolerance when looking for a predicted line.
    public var tolerance = 0.02
    /// A line counts as significant at this many times the median level.
    public var significanceRatio = 4.0
    /// The envelope spectrum is searched and its median taken below this frequency, Hz.
    public let envelopeBandLimit = 1000.0
    private let forward: ComplexFFT
    private let inverse: ComplexFFT
    private let realForward: RealFFT
    /// Inverse transforms and envelope spectra for the decimated ("zoomed") envelope, one per
    /// power of two from 64 to ``length``.
    private let zoomInverse: [ComplexFFT]
    private let zoomSpectrum: [SpectrumAnalyzer]
    /// Frame length for spectral kurtosis: the power of two nearest 4 ms, 64 to 256 samples.
    /// Frames must be shorter than the interval between impacts (about 5 ms at 200 Hz), or every
    /// frame holds one and nothing looks impulsive.
    private let kurtosisFrame: Int
    private let kurtosisSpectrum: SpectrumAnalyzer
    // Working buffers: `let` pointers, so that hot loops pay no exclusivity checks.
    private let signal: UnsafeMutableBufferPointer<ComplexSample>
    private let transformed: UnsafeMutableBufferPointer<ComplexSample>
    private let envelope: UnsafeMutableBufferPointer<Float>
    private let spectrum: UnsafeMutableBufferPointer<Double>
    private let scratch: UnsafeMutableBufferPointer<Double>
    private let kurtosisAmplitude: UnsafeMutableBufferPointer<Double>
    private let kurtosisSecond: UnsafeMutableBufferPointer<Double>
    private let kurtosisFourth: UnsafeMutableBufferPointer<Double>
    private let kurtosis: UnsafeMutableBufferPointer<Double>

    /// Creates an analyzer for records of `length` samples at `sampleRate` Hz.
    public init(length: Int, sampleRate: Double) {
        self.length = length
        self.sampleRate = sampleRate
        var frame = 64
        while frame < 256 && Double(frame) * 1.5 < 0.004 * sampleRate { frame *= 2 }
        kurtosisFrame = frame
        forward = ComplexFFT(size: length)
        inverse = ComplexFFT(size: length, inverse: true)
        realForward = RealFFT(size: length)
        let zoomSizes = sequence(first: min(64, length)) { $0 * 2 <= length ? $0 * 2 : nil }
        zoomInverse = zoomSizes.map { ComplexFFT(size: $0, inverse: true) }
        zoomSpectrum = zoomSizes.map { SpectrumAnalyzer(frameLength: $0, sampleRate: sampleRate * Double($0) / Double(length)) }
        kurtosisSpectrum = SpectrumAnalyzer(frameLength: kurtosisFrame, sampleRate: sampleRate, window: .hann)
        signal = .allocateFilled(length, with: ComplexSample(real: 0, imaginary: 0))
        transformed = .allocateFilled(length, with: ComplexSample(real: 0, imaginary: 0))
        envelope = .allocateFilled(length, with: 0)
        spectrum = .allocateFilled(length / 2 + 1, with: 0)
        scratch = .allocateFilled(length / 2 + 1, with: 0)
        kurtosisAmplitude = .allocateFilled(kurtosisFrame / 2 + 1, with: 0)
        kurtosisSecond = .allocateFilled(kurtosisFrame / 2 + 1, with: 0)
        kurtosisFourth = .allocateFilled(kurtosisFrame / 2 + 1, with: 0)
        kurtosis = .allocateFilled(kurtosisFrame / 2 + 1, with: 0)
    }

    deinit {
        for buffer in [kurtosisAmplitude, kurtosisSecond, kurtosisFourth, kurtosis, spectrum, scratch] { buffer.deallocate() }
        signal.deallocate()
        transformed.deallocate()
        envelope.deallocate()
    }

    /// Hz between envelope-spectrum bins.
    public var resolution: Double { sampleRate / Double(length) }

    /// The envelope spectrum of the last analysed record (amplitude, ``resolution`` Hz per bin).
    public var lastEnvelopeSpectrum: [Double] { Array(spectrum) }

    /// The band whose spectral kurtosis is highest: the spectral kurtosis of short frames
    /// (about 4 ms, 50 % overlap) per bin, smoothed over three bins; the band spans the bins
    /// around the maximum that reach half of it, at least 1/64 of the sample rate wide. The lowest
    /// kilohertz is left out: shaft harmonics and structural modes dominate it.
    public func impulsiveBand(_ samples: UnsafeBufferPointer<Float>) -> ClosedRange<Double> {
        let bins = kurtosisFrame / 2 + 1
        for index in 0..<bins {
            kurtosisSecond[index] = 0
            kurtosisFourth[index] = 0
        }
        var frames = 0
        var start = 0
        while start + kurtosisFrame <= samples.count {
            kurtosisSpectrum.amplitudeSpectrum(UnsafeBufferPointer(rebasing: samples[start..<(start + kurtosisFrame)]), into: kurtosisAmplitude)
            for index in 0..<bins {
                let power = kurtosisAmplitude[index] * kurtosisAmplitude[index]
                kurtosisSecond[index] += power
                kurtosisFourth[index] += power * power
            }
            frames += 1
            start += kurtosisFrame / 2
        }
        let binWidth = sampleRate / Double(kurtosisFrame)
        for index in 0..<bins {
            let second = kurtosisSecond[index]
            kurtosis[index] = second > 0 ? Double(frames) * kurtosisFourth[index] / (second * second) - 2 : 0
        }
        // The Nyquist bin of a real signal is real, so its kurtosis is 1 for plain noise: leave it
        // (and the bin whose smoothing would reach it) out, like the lowest kilohertz, unless the
        // record has nothing above a kilohertz (sampled at 2 kHz or less).
        let lastBin = bins - 3
        let firstBin = Int(clamping: 1000 / binWidth, rounding: .towardZero, to: 1...lastBin)
        func smoothed(_ index: Int) -> Double { (kurtosis[index - 1] + kurtosis[index] + kurtosis[index + 1]) / 3 }
        var best = firstBin
        for index in firstBin...lastBin where smoothed(index) > smoothed(best) { best = index }
        let half = smoothed(best) / 2
        var low = best, high = best
        while low > firstBin && smoothed(low - 1) >= half { low -= 1 }
        while high < lastBin && smoothed(high + 1) >= half { high += 1 }
        let minimumWidth = sampleRate / 64
        var lowHz = Double(low) * binWidth - binWidth / 2, highHz = Double(high) * binWidth + binWidth / 2
        if highHz - lowHz < minimumWidth {
            let centre = (lowHz + highHz) / 2
            lowHz = centre - minimumWidth / 2
            highHz = centre + minimumWidth / 2
        }
        return max(binWidth, lowHz)...min(sampleRate / 2 - binWidth, highHz)
    }

    /// Computes the envelope spectrum of `samples` (read it with ``lastEnvelopeSpectrum``) in
    /// `band`, or in the band of highest spectral kurtosis; returns the band used.
    @discardableResult
    public func envelopeSpectrum(of samples: UnsafeBufferPointer<Float>, band: ClosedRange<Double>? = nil) -> ClosedRange<Double> {
        let band = band ?? impulsiveBand(samples)
        computeEnvelopeSpectrum(samples, band: band)
        return band
    }

    /// The fault family that best explains the envelope spectrum of `samples`, and its score
    /// (0 with verdict none). Allocates nothing: the per-window check.
    public func envelopeVerdict(_ samples: UnsafeBufferPointer<Float>, bearing: BearingGeometry, shaftHz: Double,
                                band: ClosedRange<Double>? = nil) -> (fault: BearingFault, score: Double) {
        let band = band ?? impulsiveBand(samples)
        computeEnvelopeSpectrum(samples, band: band)
        let median = envelopeMedian(bandwidth: band.upperBound - band.lowerBound)
        do {
            let view = SpectrumView(values: UnsafeBufferPointer(spectrum), resolution: resolution)
            var best = (fault: BearingFault.none, score: 0.0)
            let candidates = families(bearing.defectFrequencies(shaftHz: shaftHz))
            for index in candidates.indices {
                let family = candidates[index]
                let score = self.score(family, view, median)
                if score > best.score { best = (family.fault, score) }
            }
            return best
        }
    }

    /// Diagnoses one record of ``length`` samples, with the evidence.
    /// - Parameters:
    ///   - band: the demodulation band; nil chooses it by spectral kurtosis.
    ///   - nominalShaftHz: the running speed as configured or from a tachometer; refined from
    ///     the envelope spectrum when a line stands out within 5 % of it.
    public func diagnose(_ samples: UnsafeBufferPointer<Float>, bearing: BearingGeometry, nominalShaftHz: Double,
                         band: ClosedRange<Double>? = nil) -> BearingDiagnosis {
        precondition(samples.count == length, "a record has `length` samples")
        let band = band ?? impulsiveBand(samples)
        computeEnvelopeSpectrum(samples, band: band)
        let median = envelopeMedian(bandwidth: band.upperBound - band.lowerBound)
        do {
            let view = SpectrumView(values: UnsafeBufferPointer(spectrum), resolution: resolution)
            var shaftHz = nominalShaftHz
            var measured = false
            if let line = view.strongest(from: nominalShaftHz * 0.95, to: nominalShaftHz * 1.05),
               line.amplitude >= significanceRatio * median {
                shaftHz = line.frequency
                measured = true
            }
            let frequencies = bearing.defectFrequencies(shaftHz: shaftHz)
            let candidates = families(frequencies)
            var evidence = candidates.indices.map { index in
                let family = candidates[index]
                var lines: [EvidenceLine] = []
                scan(family, view, median) { harmonic, side, expected, peak, ratio in
                    let label = "\(harmonic)x \(family.name)" + (side < 0 ? " - sideband" : side > 0 ? " + sideband" : "")
                    lines.append(EvidenceLine(label: label, harmonic: harmonic, sideband: side,
                                              expectedFrequency: expected, frequency: peak.frequency,
                                              amplitude: peak.amplitude, ratioToMedian: ratio))
                }
                return FamilyEvidence(fault: family.fault, lines: lines, score: score(family, view, median))
            }
            evidence.sort { $0.score > $1.score }
            return BearingDiagnosis(verdict: evidence[0].score > 0 ? evidence[0].fault : .none, shaftHz: shaftHz,
                                    shaftMeasured: measured, frequencies: frequencies, band: band, families: evidence,
                                    strongestLines: view.largestPeaks(5, from: 1, to: 500), medianLevel: median)
        }
    }

    /// A fault family: its fundamental, the multiples of it to look at, and the modulation that
    /// puts sidebands around the first two.
    private struct Family {
        var fault: BearingFault
        var name: StaticString
        var fundamental: Double
        var multiples: InlineArray<3, Int> = [1, 2, 3]
        var sidebands: Double?
    }

    /// Inner-race lines are modulated by the shaft rate, ball lines by the cage rate. A ball
    /// defect strikes both races once per spin, so its lines are BSF, 2x and 4x BSF.
    private func families(_ f: DefectFrequencies) -> InlineArray<4, Family> {
        [Family(fault: .outerRace, name: "BPFO", fundamental: f.bpfo),
         Family(fault: .innerRace, name: "BPFI", fundamental: f.bpfi, sidebands: f.shaft),
         Family(fault: .ball, name: "BSF", fundamental: f.bsf, multiples: [1, 2, 4], sidebands: f.ftf),
         Family(fault: .cage, name: "FTF", fundamental: f.ftf)]
    }

    /// Visits the multiples of a family's fundamental and the +-1 sidebands of the first two: the
    /// strongest line within the tolerance of each, with its ratio to the median level. Lines
    /// closer to 0 Hz than four bins, and sidebands the resolution cannot separate from their
    /// harmonic, are not visited: short windows cannot tell them from leakage.
    private func scan(_ family: Family, _ view: SpectrumView, _ median: Double,
                      _ visit: (_ harmonic: Int, _ side: Int, _ expected: Double, _ peak: SpectralPeak, _ ratio: Double) -> Void) {
        for rank in family.multiples.indices {
            let harmonic = family.multiples[rank]
            for side in -1...1 {
                guard side == 0 || (family.sidebands != nil && rank < 2) else { continue }
                let centre = Double(harmonic) * family.fundamental
                let expected = centre + Double(side) * (family.sidebands ?? 0)
                let width = max(expected * tolerance, 1.5 * view.resolution)
                guard expected >= 4 * view.resolution else { continue }
                if side != 0 && (family.sidebands ?? 0) < width + max(centre * tolerance, 1.5 * view.resolution) { continue }
                guard let peak = view.strongest(from: expected - width, to: expected + width) else { continue }
                visit(harmonic, side, expected, peak, median > 0 ? peak.amplitude / median : 0)
            }
        }
    }

    /// The mean, over every line the family predicts, of the ratio of its significant lines (an
    /// insignificant line counts 0), when one of the first two multiples is significant and at
    /// least two lines are; else 0. The mean, not the sum: a family that predicts more
    /// lines (sidebands) must not win on a comb of another family's harmonics.
    private func score(_ family: Family, _ view: SpectrumView, _ median: Double) -> Double {
        var sum = 0.0, significant = 0, predicted = 0, anchored = false
        scan(family, view, median) { harmonic, side, _, _, ratio in
            predicted += 1
            guard ratio >= significanceRatio else { return }
            sum += ratio
            significant += 1
            if side == 0 && harmonic <= family.multiples[1] { anchored = true }
        }
        return anchored && significant >= 2 ? sum / Double(predicted) : 0
    }

    /// The median of the envelope spectrum from 1 Hz to ``envelopeBandLimit``, or to 80 % of the
    /// demodulation bandwidth when that is lower (an envelope holds no frequencies above its
    /// band's width, and empty bins would make every line look strong). Selection in a
    /// preallocated buffer.
    private func envelopeMedian(bandwidth: Double) -> Double {
        let first = Int(clamping: 1 / resolution, rounding: .up, to: 1...spectrum.count)
        let last = Int(clamping: min(envelopeBandLimit, 0.8 * bandwidth) / resolution, rounding: .down, to: 0...(spectrum.count - 1))
        guard first <= last else { return 0 }
        let count = last - first + 1
        for offset in 0..<count { scratch[offset] = spectrum[first + offset] }
        return select(UnsafeMutableBufferPointer(rebasing: scratch[0..<count]), rank: count / 2)
    }

    /// The envelope of `samples` (``length`` of them) in `band`: the magnitude of the band-limited
    /// analytic signal, made through the FFT (negative frequencies and everything outside the band
    /// zeroed, the band doubled). With the whole band it is `abs(scipy.signal.hilbert(x))`.
    public func envelope(of samples: UnsafeBufferPointer<Float>, band: ClosedRange<Double>,
                         into output: UnsafeMutableBufferPointer<Float>) {
        precondition(samples.count == length && output.count == length, "a record has `length` samples")
        for index in 0..<length { signal[index] = ComplexSample(real: samples[index], imaginary: 0) }
        forward.transform(UnsafeBufferPointer(signal), into: transformed)
        let low = Int(clamping: band.lowerBound / resolution, rounding: .up, to: 0...length)
        let high = Int(clamping: band.upperBound / resolution, rounding: .down, to: -1...length)
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
        inverse.transform(UnsafeBufferPointer(transformed), into: signal)
        let scale = 1 / Float(length)
        for index in 0..<length { output[index] = signal[index].magnitude * scale }
    }

    /// The envelope in `band` and the Hann amplitude spectrum of it, computed decimated: an
    /// envelope holds no frequency above its band's width, so the band's bins (from a real FFT)
    /// are shifted to 0 Hz and inverted with the smallest power-of-two transform that keeps the
    /// envelope spectrum out to ``envelopeBandLimit`` and the band unaliased. The bins keep the
    /// full record's resolution; bins above the decimated Nyquist frequency are zero.
    private func computeEnvelopeSpectrum(_ samples: UnsafeBufferPointer<Float>, band: ClosedRange<Double>) {
        realForward.forward(samples, into: UnsafeMutableBufferPointer(rebasing: transformed[0...(length / 2)]))
        let low = Int(clamping: band.lowerBound / resolution, rounding: .up, to: 1...length)
        let high = Int(clamping: band.upperBound / resolution, rounding: .down, to: 0...(length / 2 - 1))
        let bandBins = max(0, high - low + 1)
        let needed = max(2 * bandBins, 2 * Int((envelopeBandLimit / resolution).rounded(.up)) + 2)
        var plan = 0
        while plan < zoomInverse.count - 1 && zoomInverse[plan].size < needed { plan += 1 }
        let size = zoomInverse[plan].size
        let zoomed = UnsafeMutableBufferPointer(rebasing: signal[0..<size])
        for index in 0..<size { zoomed[index] = ComplexSample(real: 0, imaginary: 0) }
        for offset in 0..<min(bandBins, size) {
            let bin = transformed[low + offset]
            zoomed[offset] = ComplexSample(real: 2 * bin.real, imaginary: 2 * bin.imaginary)
        }
        let analytic = UnsafeMutableBufferPointer(rebasing: transformed[0..<size])
        zoomInverse[plan].transform(UnsafeBufferPointer(zoomed), into: analytic)
        let scale = 1 / Float(length)
        for index in 0..<size { envelope[index] = analytic[index].magnitude * scale }
        zoomSpectrum[plan].amplitudeSpectrum(UnsafeBufferPointer(rebasing: envelope[0..<size]),
                                             into: UnsafeMutableBufferPointer(rebasing: spectrum[0...(size / 2)]))
        for index in (size / 2 + 1)..<spectrum.count { spectrum[index] = 0 }
    }
}

/// The element of rank `rank` (0-based, ascending) of `values`, by quickselect; reorders `values`.
func select(_ values: UnsafeMutableBufferPointer<Double>, rank: Int) -> Double {
    var low = 0, high = values.count - 1
    while low < high {
        let pivot = values[(low + high) / 2]
        var i = low, j = high
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j {
                values.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if rank <= j { high = j } else if rank >= i { low = i } else { return values[rank] }
    }
    return values[rank]
}
