/// Sample-stream hygiene: the true sample rate measured from block timestamps, and gaps found
/// and counted, so that no window or spectrum spans a gap.
///
/// Blocks arrive with the monotonic time of their first sample. Within a run without gaps the
/// rate is the least-squares slope of sample index against time; a block that starts later than
/// the run predicts by more than `gapTolerance` sample periods starts a new run. Until a run has
/// two blocks its rate is the nominal one, trusted to 5 %.
public struct SampleTiming: Sendable {
    /// The rate the sensor is configured for, Hz.
    public let nominalRate: Double
    /// Lateness, in sample periods, beyond which a block counts as after a gap.
    public let gapTolerance: Double
    /// Gaps found so far.
    public private(set) var gaps = 0
    /// Samples estimated lost in those gaps.
    public private(set) var lostSamples = 0
    // Least-squares sums over the current run: x = sample index, y = seconds since the run began.
    private var runStart: Int64?
    private var samplesInRun = 0
    private var points = 0
    private var sumX = 0.0, sumY = 0.0, sumXX = 0.0, sumXY = 0.0

    public init(nominalRate: Double, gapTolerance: Double = 1.5) {
        precondition(nominalRate > 0, "the nominal rate is positive")
        self.nominalRate = nominalRate
        self.gapTolerance = gapTolerance
    }

    /// The measured rate of the current run, Hz; the nominal rate until two blocks have arrived.
    public var measuredRate: Double {
        guard points >= 2 else { return nominalRate }
        let n = Double(points)
        let denominator = n * sumXX - sumX * sumX
        guard denominator > 0 else { return nominalRate }
        let secondsPerSample = (n * sumXY - sumX * sumY) / denominator
        return secondsPerSample > 0 ? 1 / secondsPerSample : nominalRate
    }

    /// Whether a block continues the run or follows a gap.
    public enum Continuity: Sendable, Equatable {
        case continuous
        /// A gap of about `missingSamples` samples came before this block; a new run starts with it.
        case gap(missingSamples: Int)
    }

    /// Registers a block of `count` samples whose first sample was taken at `timestamp`
    /// (monotonic nanoseconds).
    public mutating func add(blockOf count: Int, at timestamp: Int64) -> Continuity {
        var continuity = Continuity.continuous
        if let start = runStart {
            let elapsed = Double(timestamp - start) / 1e9
            let rate = measuredRate
            let expected = Double(samplesInRun) / rate
            let late = (elapsed - expected) * rate
            let allowance = gapTolerance + (points < 2 ? 0.05 * Double(samplesInRun) : 0)
            if late > allowance || late < -allowance - Double(count) {
                let missing = Int(clamping: late, rounding: .toNearestOrAwayFromZero, to: 0...Int(Int32.max))
                gaps += 1
                lostSamples += missing
                continuity = .gap(missingSamples: missing)
                runStart = nil
            }
        }
        if runStart == nil {
            runStart = timestamp
            samplesInRun = 0
            points = 0
            sumX = 0; sumY = 0; sumXX = 0; sumXY = 0
        }
        let x = Double(samplesInRun), y = Double(timestamp - runStart!) / 1e9
        points += 1
        sumX += x; sumY += y; sumXX += x * x; sumXY += x * y
        samplesInRun += count
        return continuity
    }
}
