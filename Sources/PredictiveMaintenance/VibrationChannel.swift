/// The per-window chain: time-domain features, the PSD and broadband velocity severity, and the
/// envelope verdict. Every buffer is allocated at init; a window allocates nothing.
public final class WindowAnalyzer: @unchecked Sendable {
    /// What to compute and against which limits.
    public struct Configuration: Sendable {
        /// Nominal sample rate, Hz.
        public var sampleRate: Double
        /// Samples per window (even; a power of two keeps the FFT fast).
        public var frameLength: Int
        /// Multiplier from sample units to m/s² (9.80665 for samples in g).
        public var toMetresPerSecondSquared: Double
        /// Severity limits for the broadband velocity.
        public var severity: SeverityCriteria
        /// The monitored bearing, for the envelope verdict.
        public var bearing: BearingGeometry?
        /// Nominal shaft rate, Hz; a tachometer's reading passed to ``WindowAnalyzer/analyze(_:rate:shaftHz:)`` wins.
        public var shaftHz: Double?
        /// The demodulation band; nil chooses it by spectral kurtosis each window.
        public var envelopeBand: ClosedRange<Double>?

        public init(sampleRate: Double, frameLength: Int = 4096, toMetresPerSecondSquared: Double = 9.80665,
                    severity: SeverityCriteria = .iso10816part3(group: .two, support: .rigid),
                    bearing: BearingGeometry? = nil, shaftHz: Double? = nil, envelopeBand: ClosedRange<Double>? = nil) {
            self.sampleRate = sampleRate
            self.frameLength = frameLength
            self.toMetresPerSecondSquared = toMetresPerSecondSquared
            self.severity = severity
            self.bearing = bearing
            self.shaftHz = shaftHz
            self.envelopeBand = envelopeBand
        }
    }

    /// One window's results.
    public struct Result: Sendable, Equatable {
        public var features: Features
        /// Broadband velocity RMS, mm/s, over ``velocityBand``.
        public var velocityRMS: Double
        /// 10 Hz to 1000 Hz, or to 45 % of the measured rate when that is lower.
        public var velocityBand: ClosedRange<Double>
        public var zone: SeverityZone
        /// Peak amplitudes at 1x, 2x and 3x the shaft rate (sample units), when a rate is known:
        /// unbalance shows at 1x, misalignment at 2x, looseness at 3x and beyond.
        public var runningSpeed: RunningSpeedAmplitudes?
        /// The envelope verdict (none without a bearing or a shaft rate).
        public var verdict: BearingFault
        public var verdictScore: Double
    }

    public let configuration: Configuration
    private let spectrum: SpectrumAnalyzer
    private let envelope: EnvelopeAnalyzer
    private let psd: UnsafeMutableBufferPointer<Double>

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        spectrum = SpectrumAnalyzer(frameLength: configuration.frameLength, sampleRate: configuration.sampleRate)
        envelope = EnvelopeAnalyzer(length: configuration.frameLength, sampleRate: configuration.sampleRate)
        psd = .allocateFilled(configuration.frameLength / 2 + 1, with: 0)
    }

    deinit { psd.deallocate() }

    /// Analyses one window of ``Configuration/frameLength`` samples taken at `rate` Hz (the
    /// measured rate; band limits follow it), with the shaft turning at `shaftHz` when a
    /// tachometer says so (else the configured nominal rate).
    public func analyze(_ window: UnsafeBufferPointer<Float>, rate: Double? = nil, shaftHz: Double? = nil) -> Result {
        let rate = rate ?? configuration.sampleRate
        let shaft = shaftHz ?? configuration.shaftHz
        let features = Features(window)
        let band = 10...min(1000, 0.45 * rate)
        spectrum.welch(window, into: psd, rate: rate)
        let view = SpectrumView(values: UnsafeBufferPointer(psd), resolution: rate / Double(configuration.frameLength))
        let velocity = velocityRMS(accelerationPSD: view, from: band.lowerBound, to: band.upperBound)
        let runningSpeed = shaft.map { RunningSpeedAmplitudes(psd: view, shaftHz: $0) }
        let millimetres = velocity * configuration.toMetresPerSecondSquared * 1000
        var verdict = (fault: BearingFault.none, score: 0.0)
        if let bearing = configuration.bearing, let shaft {
            verdict = envelope.envelopeVerdict(window, bearing: bearing, shaftHz: shaft, band: configuration.envelopeBand)
        }
        return Result(features: features, velocityRMS: millimetres, velocityBand: band,
                      zone: configuration.severity.zone(velocityRMS: millimetres), runningSpeed: runningSpeed, verdict: verdict.fault,
                      verdictScore: verdict.score)
    }
}

/// Peak amplitudes at the first three multiples of the running speed.
public struct RunningSpeedAmplitudes: Sendable, Equatable {
    public var one: Double
    public var two: Double
    public var three: Double

    /// Reads them off an acceleration PSD for a shaft turning at `shaftHz`.
    public init(psd: SpectrumView, shaftHz: Double) {
        one = psd.lineAmplitude(at: shaftHz)
        two = psd.lineAmplitude(at: 2 * shaftHz)
        three = psd.lineAmplitude(at: 3 * shaftHz)
    }
}

/// One vibration channel of a machine: timestamped sample blocks in; windows analysed every hop,
/// never across a gap; each window's result passed to the machine's ``MachineHealth`` (baseline,
/// anomaly and velocity alarms with persistence, hysteresis and operating-state gating, trend).
public final class VibrationChannel: @unchecked Sendable {
    /// What the channel reports.
    public enum Event: Sendable, Equatable {
        /// A window was analysed.
        case window(WindowAnalyzer.Result)
        /// Samples were missing before a block; the partial window was dropped.
        case gap(missingSamples: Int)
        /// The machine's health changed (baseline learnt, an alarm level).
        case health(MachineHealth.Event)
    }

    public let analyzer: WindowAnalyzer
    /// Samples between window starts.
    public let hop: Int
    public private(set) var timing: SampleTiming
    /// The machine's health, fed by every window.
    public private(set) var health: MachineHealth
    private let window: UnsafeMutableBufferPointer<Float>
    private var filled = 0

    /// Creates a channel; `hop` defaults to half a window, the health rules to the severity
    /// criteria's zone boundaries.
    public init(_ configuration: WindowAnalyzer.Configuration, hop: Int? = nil, health: MachineHealth.Configuration? = nil) {
        analyzer = WindowAnalyzer(configuration)
        self.hop = hop ?? configuration.frameLength / 2
        precondition(self.hop > 0 && self.hop <= configuration.frameLength, "the hop is within one window")
        timing = SampleTiming(nominalRate: configuration.sampleRate)
        self.health = MachineHealth(health ?? MachineHealth.Configuration(severity: configuration.severity))
        window = .allocateFilled(configuration.frameLength, with: 0)
    }

    deinit { window.deallocate() }

    /// After maintenance: the health starts a new baseline and trend.
    public func maintenancePerformed() { health.maintenancePerformed() }

    /// A baseline saved earlier, in place of learning one (``MachineHealth/resume(baseline:)``).
    @discardableResult
    public func resume(baseline: Baseline) -> Bool { health.resume(baseline: baseline) }

    /// Adds a block whose first sample was taken at `timestamp` (monotonic nanoseconds) while
    /// the machine was in `operating` state; `onEvent` receives what it caused, in order.
    public func process(_ block: UnsafeBufferPointer<Float>, at timestamp: Int64, operating: OperatingState,
                        _ onEvent: (Event) -> Void) {
        if case .gap(let missing) = timing.add(blockOf: block.count, at: timestamp) {
            filled = 0
            onEvent(.gap(missingSamples: missing))
        }
        let frameLength = analyzer.configuration.frameLength
        var index = 0
        while index < block.count {
            let take = min(frameLength - filled, block.count - index)
            (window.baseAddress! + filled).update(from: block.baseAddress! + index, count: take)
            filled += take
            index += take
            guard filled == frameLength else { continue }
            let result = analyzer.analyze(UnsafeBufferPointer(window), rate: timing.measuredRate, shaftHz: operating.speedHz)
            onEvent(.window(result))
            let seconds = Double(timestamp) / 1e9 + Double(index) / timing.measuredRate
            health.add(result, at: seconds, operating: operating) { onEvent(.health($0)) }
            // Keep the overlap for the next window.
            let keep = frameLength - hop
            if keep > 0 { window.baseAddress!.update(from: window.baseAddress! + hop, count: keep) }
            filled = frameLength - hop
        }
    }
}
