import RealModule

/// Tapering windows for spectra, periodic (DFT-even) as `scipy.signal.get_window` makes them.
public enum WindowFunction: String, Sendable, CaseIterable {
    /// Hann: good frequency resolution; the default for PSDs and envelope spectra.
    case hann
    /// Flat-top (scipy's five-term coefficients): amplitudes accurate to 0.01 dB between bins.
    case flatTop = "flattop"

    /// The window's `count` coefficients.
    public func coefficients(count: Int) -> [Float] {
        let n = Double(count)
        return (0..<count).map { index in
            let phase = 2 * Double.pi * Double(index) / n
            switch self {
            case .hann:
                return Float(0.5 - 0.5 * Double.cos(phase))
            case .flatTop:
                let a = [0.21557895, 0.41663158, 0.277263158, 0.083578947, 0.006947368]
                var value = a[0]
                for k in 1..<a.count { value += (k % 2 == 1 ? -a[k] : a[k]) * Double.cos(Double(k) * phase) }
                return Float(value)
            }
        }
    }
}

/// Spectra of fixed-size frames: single-sided amplitude spectrum and Welch power spectral density,
/// with every buffer allocated at init.
public final class SpectrumAnalyzer: @unchecked Sendable {
    /// Samples per frame (even).
    public let frameLength: Int
    /// Sample rate, Hz.
    public let sampleRate: Double
    /// The window applied to each frame.
    public let window: WindowFunction
    private let coefficients: [Float]
    private let coherentGain: Double
    private let powerGain: Double
    private let fft: RealFFT
    // Working buffers: `let` pointers, so that hot loops pay no exclusivity checks.
    private let frame: UnsafeMutableBufferPointer<Float>
    private let bins: UnsafeMutableBufferPointer<ComplexSample>

    /// Creates an analyzer for frames of `frameLength` samples at `sampleRate` Hz.
    public init(frameLength: Int, sampleRate: Double, window: WindowFunction = .hann) {
        self.frameLength = frameLength
        self.sampleRate = sampleRate
        self.window = window
        coefficients = window.coefficients(count: frameLength)
        coherentGain = coefficients.reduce(0) { $0 + Double($1) }
        powerGain = coefficients.reduce(0) { $0 + Double($1) * Double($1) }
        fft = RealFFT(size: frameLength)
        frame = .allocateFilled(frameLength, with: 0)
        bins = .allocateFilled(frameLength / 2 + 1, with: ComplexSample(real: 0, imaginary: 0))
    }

    deinit {
        frame.deallocate()
        bins.deallocate()
    }

    /// Bins in a single-sided spectrum.
    public var binCount: Int { frameLength / 2 + 1 }
    /// Hz between bins.
    public var resolution: Double { sampleRate / Double(frameLength) }
    /// The frequency of bin `index`, Hz.
    public func frequency(ofBin index: Int) -> Double { Double(index) * resolution }

    /// Single-sided peak amplitude spectrum of one frame (mean removed first): a sine of
    /// amplitude A at a bin frequency reads A (exactly with the flat-top window, between bins too).
    public func amplitudeSpectrum(_ samples: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(output.count == binCount, "the output needs binCount values")
        transformFrame(samples)
        let scale = 2 / coherentGain
        for index in 0..<binCount {
            let edge = index == 0 || index == frameLength / 2
            output[index] = Double(bins[index].magnitude) * (edge ? scale / 2 : scale)
        }
    }

    /// Welch's power spectral density (units²/Hz, single-sided), as `scipy.signal.welch` computes
    /// it with this window, `nperseg` = ``frameLength``, 50 % overlap, constant detrend and
    /// density scaling. Segments that do not fit are dropped. Returns the segment count.
    /// - Parameter rate: the sample rate to scale by, when measured rather than nominal.
    @discardableResult
    public func welch(_ samples: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Double>,
                      rate: Double? = nil) -> Int {
        precondition(output.count == binCount, "the output needs binCount values")
        for index in 0..<binCount { output[index] = 0 }
        let step = frameLength - frameLength / 2
        var segments = 0
        var start = 0
        while start + frameLength <= samples.count {
            transformFrame(UnsafeBufferPointer(rebasing: samples[start..<(start + frameLength)]))
            for index in 0..<binCount { output[index] += Double(bins[index].squaredMagnitude) }
            segments += 1
            start += step
        }
        guard segments > 0 else { return 0 }
        let scale = 1 / ((rate ?? sampleRate) * powerGain * Double(segments))
        for index in 0..<binCount {
            let edge = index == 0 || index == frameLength / 2
            output[index] *= edge ? scale : 2 * scale
        }
        return segments
    }

    /// Removes the frame's mean, applies the window and transforms into `bins`.
    private func transformFrame(_ samples: UnsafeBufferPointer<Float>) {
        precondition(samples.count == frameLength, "a frame has frameLength samples")
        var sum = 0.0
        for sample in samples { sum += Double(sample) }
        let mean = Float(sum / Double(frameLength))
        coefficients.withUnsafeBufferPointer { coefficients in
            for index in 0..<frameLength { frame[index] = (samples[index] - mean) * coefficients[index] }
        }
        fft.forward(UnsafeBufferPointer(frame), into: bins)
    }
}

/// A spectral line: frequency (Hz, refined between bins) and amplitude.
public struct SpectralPeak: Sendable, Equatable {
    public var frequency: Double
    public var amplitude: Double
    public init(frequency: Double, amplitude: Double) {
        self.frequency = frequency
        self.amplitude = amplitude
    }
}

/// Reading values off a single-sided spectrum with bins `resolution` Hz apart.
public struct SpectrumView {
    public let values: UnsafeBufferPointer<Double>
    public let resolution: Double

    public init(values: UnsafeBufferPointer<Double>, resolution: Double) {
        self.values = values
        self.resolution = resolution
    }

    /// Bin range covering [low, high] Hz, clamped to the spectrum; empty when either is NaN.
    public func bins(from low: Double, to high: Double) -> Range<Int> {
        guard low <= high else { return 0..<0 }
        let first = Int(clamping: low / resolution, rounding: .up, to: 0...values.count)
        let last = Int(clamping: high / resolution, rounding: .down, to: -1...(values.count - 1))
        return first <= last ? first..<(last + 1) : first..<first
    }

    /// The sum of a PSD over [low, high] Hz times the bin width: the mean square in that band.
    public func bandPower(from low: Double, to high: Double) -> Double {
        var sum = 0.0
        for index in bins(from: low, to: high) { sum += values[index] }
        return sum * resolution
    }

    /// The strongest bin within [low, high] Hz, its frequency refined by a parabola through the
    /// bin and its neighbours. Nil when the range holds no bin.
    public func strongest(from low: Double, to high: Double) -> SpectralPeak? {
        let range = bins(from: low, to: high)
        guard var best = range.first else { return nil }
        for index in range where values[index] > values[best] { best = index }
        return SpectralPeak(frequency: refinedFrequency(best), amplitude: values[best])
    }

    /// The `count` largest local maxima in [low, high] Hz, strongest first.
    public func largestPeaks(_ count: Int, from low: Double, to high: Double) -> [SpectralPeak] {
        let range = bins(from: max(low, resolution), to: high)
        var peaks: [(index: Int, value: Double)] = []
        for index in range where index > 0 && index < values.count - 1 {
            let value = values[index]
            if value > values[index - 1] && value >= values[index + 1] { peaks.append((index, value)) }
        }
        peaks.sort { $0.value > $1.value }
        return peaks.prefix(count).map { SpectralPeak(frequency: refinedFrequency($0.index), amplitude: $0.value) }
    }

    /// The peak amplitude of a sinusoid near `frequency`, from a PSD: the power within +-`bins`
    /// bins (where a Hann or flat-top window spreads it) is A²/2, whatever the line's position
    /// between bins.
    public func lineAmplitude(at frequency: Double, bins: Int = 3) -> Double {
        (2 * bandPower(from: frequency - Double(bins) * resolution, to: frequency + Double(bins) * resolution)).squareRoot()
    }

    private func refinedFrequency(_ index: Int) -> Double {
        guard index > 0 && index < values.count - 1 else { return Double(index) * resolution }
        let left = values[index - 1], centre = values[index], right = values[index + 1]
        let denominator = left - 2 * centre + right
        let offset = denominator == 0 ? 0 : 0.5 * (left - right) / denominator
        return (Double(index) + max(-0.5, min(0.5, offset))) * resolution
    }
}

/// Velocity RMS (same length unit as the acceleration, per second) in [low, high] Hz from an
/// acceleration PSD, by integration in the frequency domain: V(f) = A(f) / (2 pi f).
public func velocityRMS(accelerationPSD psd: SpectrumView, from low: Double = 10, to high: Double = 1000) -> Double {
    var sum = 0.0
    for index in psd.bins(from: low, to: high) where index > 0 {
        let omega = 2 * Double.pi * Double(index) * psd.resolution
        sum += psd.values[index] / (omega * omega)
    }
    return (sum * psd.resolution).squareRoot()
}

extension UnsafeMutableBufferPointer {
    /// A new buffer of `count` elements, each `value` (the caller deallocates it).
    static func allocateFilled(_ count: Int, with value: Element) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
        buffer.initialize(repeating: value)
        return buffer
    }
}
