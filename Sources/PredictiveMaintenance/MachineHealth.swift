/// Health over time for one machine, fed with the results of its windows: a baseline of the
/// feature vector (velocity RMS, RMS, kurtosis, crest factor) learnt while the machine runs, the
/// anomaly score (Mahalanobis distance) and the velocity judged by alarm rules, and a velocity
/// trend with the time left to the severity limit. Maintenance starts a new baseline and trend.
public struct MachineHealth: Sendable {
    /// Settings.
    public struct Configuration: Sendable {
        /// Windows learnt before the baseline scores.
        public var learningWindows = 200
        /// Rule on the Mahalanobis distance (a dimensionless "sigmas from normal").
        public var anomalyRule = AlarmRule(warning: 4, alarm: 6)
        /// Rule on the velocity RMS, mm/s (for example the B/C and C/D zone boundaries).
        public var velocityRule: AlarmRule
        /// One trend point per this many seconds (the mean velocity over the interval).
        public var trendInterval = 60.0
        /// Trend points kept.
        public var trendPoints = 240
        /// The velocity the remaining life runs to, mm/s (for example the C/D boundary).
        public var velocityLimit: Double

        /// Rules from severity criteria: warning at the B/C boundary, alarm and the life limit at C/D.
        public init(severity: SeverityCriteria) {
            velocityRule = AlarmRule(warning: severity.boundaryBC, alarm: severity.boundaryCD)
            velocityLimit = severity.boundaryCD
        }
    }

    /// What changed.
    public enum Event: Sendable, Equatable {
        /// The baseline finished learning and now scores windows.
        case baselineLearnt
        /// The velocity alarm level changed.
        case velocity(AlarmEvent)
        /// The anomaly alarm level changed.
        case anomaly(AlarmEvent)
    }

    public let configuration: Configuration
    public private(set) var baseline: Baseline
    public private(set) var velocityAlarm: AlarmMonitor
    public private(set) var anomalyAlarm: AlarmMonitor
    /// The latest Mahalanobis distance, once the baseline is active.
    public private(set) var lastAnomalyScore: Double?
    private var trendTimes: [Double] = []
    private var trendValues: [Double] = []
    private var intervalStart: Double?
    private var intervalSum = 0.0
    private var intervalCount = 0

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        baseline = Baseline(dimension: 4, learningWindows: configuration.learningWindows)
        velocityAlarm = AlarmMonitor(rule: configuration.velocityRule)
        anomalyAlarm = AlarmMonitor(rule: configuration.anomalyRule)
        trendTimes.reserveCapacity(configuration.trendPoints)
        trendValues.reserveCapacity(configuration.trendPoints)
    }

    /// Takes one window's result at `time` (seconds, the caller's clock); `onEvent` receives what changed.
    public mutating func add(_ result: WindowAnalyzer.Result, at time: Double, operating: OperatingState,
                             _ onEvent: (Event) -> Void) {
        if let event = velocityAlarm.evaluate(result.velocityRMS, at: time, operating: operating) { onEvent(.velocity(event)) }
        let inRange = operating.speedHz.map { speed in configuration.velocityRule.speedRange?.contains(speed) ?? true } ?? true
        // The baseline and the trend describe the machine running; stopped windows say nothing.
        guard operating.running && inRange else { return }
        let wasLearning = baseline.state != .active
        let vector: InlineArray<4, Double> = [result.velocityRMS, result.features.rms, result.features.kurtosis, result.features.crestFactor]
        let distance = withUnsafeTemporaryAllocation(of: Double.self, capacity: 4) { buffer in
            for index in 0..<4 { buffer[index] = vector[index] }
            return baseline.addReturningDistance(UnsafeBufferPointer(buffer))
        }
        if wasLearning && baseline.state == .active { onEvent(.baselineLearnt) }
        if let distance {
            lastAnomalyScore = distance
            if let event = anomalyAlarm.evaluate(distance, at: time, operating: operating) { onEvent(.anomaly(event)) }
        }
        addTrendSample(result.velocityRMS, at: time)
    }

    /// A trend point per interval: the mean velocity over it, stamped at the interval's start.
    private mutating func addTrendSample(_ velocity: Double, at time: Double) {
        let start = intervalStart ?? time
        if time - start >= configuration.trendInterval, intervalCount > 0 {
            if trendTimes.count == configuration.trendPoints {
                trendTimes.removeFirst()
                trendValues.removeFirst()
            }
            trendTimes.append(start)
            trendValues.append(intervalSum / Double(intervalCount))
            intervalStart = time
            intervalSum = 0
            intervalCount = 0
        } else if intervalStart == nil {
            intervalStart = time
        }
        intervalSum += velocity
        intervalCount += 1
    }

    /// The velocity trend over the kept points (linear), nil with fewer than three.
    public var velocityTrend: TrendFit? { TrendFit(times: trendTimes, values: trendValues) }

    /// Seconds from `now` until the velocity trend reaches ``Configuration/velocityLimit``, with
    /// its interval; nil unless the trend is significant and rising towards it.
    public func remainingLife(now: Double) -> RemainingLife? {
        velocityTrend?.timeToThreshold(configuration.velocityLimit, from: now)
    }

    /// Takes a baseline saved earlier (across a restart) in place of the one in progress, so the
    /// machine is judged against what it was learnt as, not against a new baseline learnt from
    /// however it runs now; false, and nothing changed, when it has other features or learning length.
    @discardableResult
    public mutating func resume(baseline saved: Baseline) -> Bool {
        guard saved.dimension == baseline.dimension, saved.learningWindows == baseline.learningWindows else { return false }
        baseline = saved
        return true
    }

    /// After maintenance: a new baseline and a new trend (the old ones describe another machine).
    public mutating func maintenancePerformed() {
        baseline.relearn()
        lastAnomalyScore = nil
        trendTimes.removeAll(keepingCapacity: true)
        trendValues.removeAll(keepingCapacity: true)
        intervalStart = nil
        intervalSum = 0
        intervalCount = 0
    }
}
