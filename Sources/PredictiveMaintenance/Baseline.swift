/// A machine's normal behaviour, learnt from feature vectors (e.g. RMS, kurtosis, velocity RMS):
/// learning -> active -> (after maintenance) learning again. While active it scores new vectors by
/// per-feature z-scores and by the Mahalanobis distance, which accounts for correlated features.
public struct Baseline: Sendable {
    /// Where the baseline is in its life.
    public enum State: Sendable, Equatable {
        /// Collecting vectors; `collected` of `needed` so far.
        case learning(collected: Int, needed: Int)
        /// Scoring against the learnt mean and covariance.
        case active
    }

    /// Features per vector.
    public let dimension: Int
    /// Vectors learnt before the baseline becomes active.
    public let learningWindows: Int
    public private(set) var state: State
    /// Mean of the learnt vectors.
    public private(set) var mean: [Double]
    /// Sample covariance (row-major, dimension x dimension).
    public private(set) var covariance: [Double]
    private var count = 0
    private var comoment: [Double]
    /// Lower Cholesky factor of the regularised covariance, once active.
    private var cholesky: [Double]

    /// Creates a baseline that learns from `learningWindows` vectors of `dimension` features.
    public init(dimension: Int, learningWindows: Int) {
        precondition(dimension > 0 && learningWindows > dimension, "learning needs more vectors than features")
        self.dimension = dimension
        self.learningWindows = learningWindows
        state = .learning(collected: 0, needed: learningWindows)
        mean = Array(repeating: 0, count: dimension)
        covariance = Array(repeating: 0, count: dimension * dimension)
        comoment = covariance
        cholesky = covariance
    }

    /// Feeds one vector. While learning it is absorbed (Welford's update); once active it is
    /// scored and returned as a ``Score``; nil while learning.
    public mutating func add(_ vector: [Double]) -> Score? {
        precondition(vector.count == dimension, "a vector has `dimension` features")
        guard case .learning = state else { return score(vector) }
        absorb(vector)
        return nil
    }

    /// Feeds one vector without allocating: absorbed while learning, else its Mahalanobis
    /// distance is returned.
    public mutating func addReturningDistance(_ vector: UnsafeBufferPointer<Double>) -> Double? {
        precondition(vector.count == dimension, "a vector has `dimension` features")
        guard case .learning = state else { return mahalanobis(vector) }
        absorb(vector)
        return nil
    }

    private mutating func absorb<Vector: Collection<Double>>(_ vector: Vector) where Vector.Index == Int {
        count += 1
        withUnsafeTemporaryAllocation(of: Double.self, capacity: dimension) { delta in
            for i in 0..<dimension {
                delta[i] = vector[vector.startIndex + i] - mean[i]
                mean[i] += delta[i] / Double(count)
            }
            for i in 0..<dimension {
                for j in 0..<dimension { comoment[i * dimension + j] += delta[i] * (vector[vector.startIndex + j] - mean[j]) }
            }
        }
        updateState()
    }

    /// Active once enough vectors are in: the covariance from the comoments, and its factor.
    private mutating func updateState() {
        if count >= learningWindows {
            for index in covariance.indices { covariance[index] = comoment[index] / Double(count - 1) }
            factorise()
            state = .active
        } else {
            state = .learning(collected: count, needed: learningWindows)
        }
    }

    /// Starts learning again (after maintenance changed the machine).
    public mutating func relearn() {
        self = Baseline(dimension: dimension, learningWindows: learningWindows)
    }

    /// How far a vector is from the baseline.
    public struct Score: Sendable, Equatable {
        /// (x - mean) / standard deviation, per feature.
        public var zScores: [Double]
        /// sqrt((x - mean)^T covariance^-1 (x - mean)).
        public var mahalanobis: Double
    }

    /// Scores a vector against the active baseline.
    public func score(_ vector: [Double]) -> Score {
        precondition(state == .active, "score needs an active baseline")
        var z = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension {
            let deviation = covariance[i * dimension + i].squareRoot()
            z[i] = deviation > 0 ? (vector[i] - mean[i]) / deviation : 0
        }
        return Score(zScores: z, mahalanobis: vector.withUnsafeBufferPointer { mahalanobis($0) })
    }

    /// sqrt((x - mean)^T covariance^-1 (x - mean)), by forward substitution with the Cholesky
    /// factor L: solve L y = x - mean, then the distance is |y|. Allocates nothing.
    public func mahalanobis(_ vector: UnsafeBufferPointer<Double>) -> Double {
        precondition(state == .active, "the distance needs an active baseline")
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: dimension) { y in
            var squared = 0.0
            for i in 0..<dimension {
                var sum = vector[i] - mean[i]
                for k in 0..<i { sum -= cholesky[i * dimension + k] * y[k] }
                y[i] = sum / cholesky[i * dimension + i]
                squared += y[i] * y[i]
            }
            return squared.squareRoot()
        }
    }

    /// Cholesky factorisation of the covariance with a small ridge (1e-9 of the trace per
    /// feature), so that a constant feature does not make it singular.
    private mutating func factorise() {
        var trace = 0.0
        for i in 0..<dimension { trace += covariance[i * dimension + i] }
        let ridge = max(trace / Double(dimension) * 1e-9, 1e-300)
        for i in 0..<dimension {
            for j in 0...i {
                var sum = covariance[i * dimension + j] + (i == j ? ridge : 0)
                for k in 0..<j { sum -= cholesky[i * dimension + k] * cholesky[j * dimension + k] }
                cholesky[i * dimension + j] = i == j ? max(sum, ridge).squareRoot() : sum / cholesky[j * dimension + j]
            }
        }
    }
}

/// Exponentially weighted moving average chart: signals when the EWMA of a standardised value
/// leaves +-`limit` times its own standard deviation (sqrt(lambda / (2 - lambda))).
public struct EWMADetector: Sendable {
    public let lambda: Double
    public let limit: Double
    public private(set) var value = 0.0

    public init(lambda: Double = 0.2, limit: Double = 3) {
        precondition(lambda > 0 && lambda <= 1, "lambda is in (0, 1]")
        self.lambda = lambda
        self.limit = limit
    }

    /// Adds a z-score; true when the chart signals.
    public mutating func add(_ z: Double) -> Bool {
        value = lambda * z + (1 - lambda) * value
        return value.magnitude > limit * (lambda / (2 - lambda)).squareRoot()
    }

    public mutating func reset() { value = 0 }
}

/// Two-sided tabular CUSUM on z-scores: reference `slack` (k) and decision interval `threshold` (h).
public struct CUSUMDetector: Sendable {
    public let slack: Double
    public let threshold: Double
    public private(set) var upper = 0.0
    public private(set) var lower = 0.0

    public init(slack: Double = 0.5, threshold: Double = 5) {
        self.slack = slack
        self.threshold = threshold
    }

    /// Adds a z-score; true when either sum crosses the threshold.
    public mutating func add(_ z: Double) -> Bool {
        upper = max(0, upper + z - slack)
        lower = max(0, lower - z - slack)
        return upper > threshold || lower > threshold
    }

    public mutating func reset() {
        upper = 0
        lower = 0
    }
}

#if !hasFeature(Embedded)
/// Saved as what was learnt (vectors counted, mean, comoments); the covariance and its factor are
/// derived again, so a decoded baseline scores exactly as the one encoded. Decoding checks sizes
/// and values and throws on anything else.
extension Baseline: Codable {
    private enum CodingKeys: String, CodingKey {
        case dimension, learningWindows = "learning_windows", count, mean, comoment
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let dimension = try container.decode(Int.self, forKey: .dimension)
        let learningWindows = try container.decode(Int.self, forKey: .learningWindows)
        guard dimension > 0, dimension <= 64, learningWindows > dimension else {
            throw DecodingError.dataCorruptedError(forKey: .learningWindows, in: container,
                                                   debugDescription: "learning needs more vectors than features")
        }
        self.init(dimension: dimension, learningWindows: learningWindows)
        count = try container.decode(Int.self, forKey: .count)
        mean = try container.decode([Double].self, forKey: .mean)
        comoment = try container.decode([Double].self, forKey: .comoment)
        guard (0...learningWindows).contains(count), mean.count == dimension, comoment.count == dimension * dimension,
              mean.allSatisfy(\.isFinite), comoment.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(forKey: .comoment, in: container, debugDescription: "not a baseline of \(dimension) features")
        }
        updateState()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dimension, forKey: .dimension)
        try container.encode(learningWindows, forKey: .learningWindows)
        try container.encode(count, forKey: .count)
        try container.encode(mean, forKey: .mean)
        try container.encode(comoment, forKey: .comoment)
    }
}
#endif
