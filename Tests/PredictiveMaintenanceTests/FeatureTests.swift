import Foundation
import Testing
@testable import PredictiveMaintenance

@Suite("Features against numpy and scipy")
struct FeatureTests {
    static let signals: [(String, [Float])] = [
        ("sine", Signals.sine(count: 8192, rate: 10_000, frequency: 50, amplitude: 2)),
        ("noise", Signals.noise(count: 8192, sigma: 0.7)),
        ("impulses", Signals.impulses(count: 8192, period: 200)),
        ("sine on a large mean", Signals.sine(count: 8192, rate: 10_000, frequency: 50, amplitude: 1, offset: 10_000)),
    ]

    /// Relative tolerance 1e-9: both sides compute in double precision from the same float32 samples.
    @Test(arguments: signals.indices)
    func featuresMatchNumpy(_ index: Int) throws {
        let (name, samples) = Self.signals[index]
        let features = samples.withUnsafeBufferPointer { Features($0) }
        let reference = try numpy("""
            a = np.abs(x); rms = np.sqrt(np.mean(x**2)); peak = a.max()
            print(json.dumps({"mean": x.mean(), "std": x.std(), "rms": rms, "peak": peak, "p2p": np.ptp(x),
              "crest": peak / rms, "kurtosis": scipy.stats.kurtosis(x, fisher=False), "skewness": scipy.stats.skew(x),
              "shape": rms / a.mean(), "impulse": peak / a.mean(), "clearance": peak / np.mean(np.sqrt(a))**2}))
            """, samples: samples)
        let ours: [String: Double] = [
            "mean": features.mean, "std": features.standardDeviation, "rms": features.rms, "peak": features.peak,
            "p2p": features.peakToPeak, "crest": features.crestFactor, "kurtosis": features.kurtosis,
            "skewness": features.skewness, "shape": features.shapeFactor, "impulse": features.impulseFactor,
            "clearance": features.clearanceFactor,
        ]
        for (key, value) in ours {
            let expected = try #require(reference[key] as? Double)
            // Skewness of a symmetric signal is ~0: compare it absolutely.
            let scale = key == "skewness" || key == "mean" ? max(1, expected.magnitude) : expected.magnitude
            #expect((value - expected).magnitude <= 1e-9 * scale, "\(name) \(key): ours \(value), numpy \(expected)")
        }
    }

    @Test func gaussianKurtosisIsThree() {
        let features = Signals.noise(count: 1 << 18, sigma: 1).withUnsafeBufferPointer { Features($0) }
        #expect((features.kurtosis - 3).magnitude < 0.05)
    }

    /// Every window of the streaming computation equals the features of that window computed whole.
    @Test(arguments: [(1024, 256), (1000, 1000), (4096, 512)])
    func streamingWindowsEqualWholeWindows(_ window: Int, _ hop: Int) {
        let samples = Signals.sine(count: 20_000, rate: 10_000, frequency: 37, amplitude: 3, offset: 5_000)
            .enumerated().map { $0.element + Float($0.offset % 17) * 0.01 }
        var stream = StreamingFeatures(windowLength: window, hop: hop)
        var windows: [Features] = []
        // Fed in uneven chunks: the window boundaries must not depend on them.
        var start = 0, chunk = 1
        samples.withUnsafeBufferPointer { all in
            while start < all.count {
                let end = min(all.count, start + chunk)
                stream.append(UnsafeBufferPointer(rebasing: all[start..<end])) { windows.append($0) }
                start = end
                chunk = chunk * 3 % 997 + 1
            }
        }
        #expect(windows.count == (samples.count - window) / hop + 1)
        for (number, streamed) in windows.enumerated() {
            let first = number * hop
            let whole = samples.withUnsafeBufferPointer { Features(UnsafeBufferPointer(rebasing: $0[first..<(first + window)])) }
            #expect((streamed.rms - whole.rms).magnitude <= 1e-9 * whole.rms)
            #expect((streamed.kurtosis - whole.kurtosis).magnitude <= 1e-7 * whole.kurtosis)
            #expect((streamed.skewness - whole.skewness).magnitude <= 1e-7)
            #expect(streamed.peak == whole.peak && streamed.peakToPeak == whole.peakToPeak)
            #expect((streamed.clearanceFactor - whole.clearanceFactor).magnitude <= 1e-9 * whole.clearanceFactor)
        }
    }
}

@Suite("Spectra against numpy and scipy")
struct SpectrumTests {
    /// Welch PSD with a Hann window, 1024-sample segments, 50 % overlap, as scipy.signal.welch.
    @Test func welchMatchesScipy() throws {
        let rate = 8_000.0
        let samples = zip(Signals.sine(count: 20_000, rate: rate, frequency: 440, amplitude: 1.5),
                          Signals.noise(count: 20_000, sigma: 0.3)).map { $0 + $1 + 0.25 }
        let analyzer = SpectrumAnalyzer(frameLength: 1024, sampleRate: rate)
        var psd = [Double](repeating: 0, count: analyzer.binCount)
        let segments = samples.withUnsafeBufferPointer { input in psd.withUnsafeMutableBufferPointer { analyzer.welch(input, into: $0) } }
        #expect(segments == (20_000 - 1024) / 512 + 1)
        let reference = try numpy("""
            f, p = scipy.signal.welch(x, fs=8000.0, window='hann', nperseg=1024)
            print(json.dumps({"f": f.tolist(), "p": p.tolist()}))
            """, samples: samples)
        let expected = try #require(reference["p"] as? [Double])
        #expect(expected.count == psd.count)
        let largest = expected.max() ?? 1
        // Float32 FFT against scipy's float64: 1e-5 of the largest bin, plus 1e-3 relative.
        for (index, value) in psd.enumerated() {
            #expect((value - expected[index]).magnitude <= 1e-5 * largest + 1e-3 * expected[index], "bin \(index)")
        }
    }

    /// The single-sided amplitude spectrum with a flat-top window reads a sine's amplitude, also
    /// between bins; it equals numpy's rfft with the same scaling.
    @Test func flatTopReadsAmplitudeBetweenBins() throws {
        let rate = 10_000.0
        let samples = Signals.sine(count: 4096, rate: rate, frequency: 1234.5, amplitude: 2)
        let analyzer = SpectrumAnalyzer(frameLength: 4096, sampleRate: rate, window: .flatTop)
        var amplitude = [Double](repeating: 0, count: analyzer.binCount)
        samples.withUnsafeBufferPointer { input in amplitude.withUnsafeMutableBufferPointer { analyzer.amplitudeSpectrum(input, into: $0) } }
        let peak = amplitude.withUnsafeBufferPointer { SpectrumView(values: $0, resolution: analyzer.resolution).strongest(from: 1000, to: 1500)! }
        #expect((peak.amplitude - 2).magnitude < 2 * 0.002)
        #expect((peak.frequency - 1234.5).magnitude < analyzer.resolution / 2)
        let reference = try numpy("""
            w = scipy.signal.get_window('flattop', len(x)); y = (x - x.mean()) * w
            a = np.abs(np.fft.rfft(y)) * 2 / w.sum(); a[0] /= 2; a[-1] /= 2
            print(json.dumps({"a": a.tolist()}))
            """, samples: samples)
        let expected = try #require(reference["a"] as? [Double])
        for (index, value) in amplitude.enumerated() {
            #expect((value - expected[index]).magnitude <= 2e-6 * 2 + 1e-4 * expected[index], "bin \(index)")
        }
    }

    /// The whole-band envelope equals abs(scipy.signal.hilbert(x)).
    @Test func envelopeMatchesScipyHilbert() throws {
        let rate = 20_000.0, count = 8192
        // A 3 kHz carrier, amplitude-modulated at 90 Hz.
        let samples = (0..<count).map { index -> Float in
            let t = Double(index) / rate
            return Float((1 + 0.5 * sin(2 * .pi * 90 * t)) * sin(2 * .pi * 3000 * t))
        }
        let analyzer = EnvelopeAnalyzer(length: count, sampleRate: rate)
        var envelope = [Float](repeating: 0, count: count)
        samples.withUnsafeBufferPointer { input in
            envelope.withUnsafeMutableBufferPointer { analyzer.envelope(of: input, band: 0...(rate / 2), into: $0) }
        }
        let reference = try numpy("print(json.dumps({\"e\": np.abs(scipy.signal.hilbert(x)).tolist()}))", samples: samples)
        let expected = try #require(reference["e"] as? [Double])
        for index in 0..<count {
            #expect((Double(envelope[index]) - expected[index]).magnitude <= 1e-4, "sample \(index)")
        }
    }

    /// Velocity RMS by integration: a 2 g... here 10 m/s² sine at 50 Hz is 10 / (2 pi 50) / sqrt 2 m/s RMS.
    @Test func velocityRMSOfASine() {
        let rate = 5_000.0
        let samples = Signals.sine(count: 50_000, rate: rate, frequency: 50, amplitude: 10)
        let analyzer = SpectrumAnalyzer(frameLength: 4096, sampleRate: rate)
        var psd = [Double](repeating: 0, count: analyzer.binCount)
        samples.withUnsafeBufferPointer { input in psd.withUnsafeMutableBufferPointer { _ = analyzer.welch(input, into: $0) } }
        let velocity = psd.withUnsafeBufferPointer { velocityRMS(accelerationPSD: SpectrumView(values: $0, resolution: analyzer.resolution)) }
        let expected = 10 / (2 * Double.pi * 50) / 2.squareRoot()
        #expect((velocity - expected).magnitude < 0.01 * expected)
    }
}

@Suite("Spectral readings")
struct SpectralReadingTests {
    /// Band power of white noise is its variance times the band's share; a line's amplitude comes
    /// back from the PSD wherever it falls between bins.
    @Test func bandPowerAndLineAmplitude() {
        let rate = 10_000.0
        let analyzer = SpectrumAnalyzer(frameLength: 2048, sampleRate: rate)
        var psd = [Double](repeating: 0, count: analyzer.binCount)
        let noise = Signals.noise(count: 400_000, sigma: 1, seed: 21)
        noise.withUnsafeBufferPointer { input in psd.withUnsafeMutableBufferPointer { _ = analyzer.welch(input, into: $0) } }
        let total = psd.withUnsafeBufferPointer { SpectrumView(values: $0, resolution: analyzer.resolution).bandPower(from: 0, to: rate / 2) }
        let half = psd.withUnsafeBufferPointer { SpectrumView(values: $0, resolution: analyzer.resolution).bandPower(from: 0, to: rate / 4) }
        #expect((total - 1).magnitude < 0.02)
        #expect((half / total - 0.5).magnitude < 0.02)
        for frequency in [50.0, 51.3, 52.44] {
            let sine = Signals.sine(count: 40_960, rate: rate, frequency: frequency, amplitude: 2)
            sine.withUnsafeBufferPointer { input in psd.withUnsafeMutableBufferPointer { _ = analyzer.welch(input, into: $0) } }
            let amplitude = psd.withUnsafeBufferPointer { SpectrumView(values: $0, resolution: analyzer.resolution).lineAmplitude(at: frequency) }
            #expect((amplitude - 2).magnitude < 0.01 * 2, "\(frequency) Hz")
        }
    }

    /// A window analyzer reports 1x/2x/3x running-speed amplitudes from the tachometer's rate.
    @Test func runningSpeedAmplitudes() {
        let rate = 8_192.0, shaft = 29.7
        let samples = (0..<4096).map { index -> Float in
            let t = Double(index) / rate
            return Float(0.5 * sin(2 * .pi * shaft * t) + 0.2 * sin(2 * .pi * 2 * shaft * t) + 0.1 * sin(2 * .pi * 3 * shaft * t))
        }
        let analyzer = WindowAnalyzer(.init(sampleRate: rate, frameLength: 4096))
        let result = samples.withUnsafeBufferPointer { analyzer.analyze($0, shaftHz: shaft) }
        let amplitudes = try! #require(result.runningSpeed)
        #expect((amplitudes.one - 0.5).magnitude < 0.02 && (amplitudes.two - 0.2).magnitude < 0.02 && (amplitudes.three - 0.1).magnitude < 0.02)
    }
}
