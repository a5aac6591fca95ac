import RealModule

/// Time-domain condition indicators of one window of samples.
///
/// Kurtosis is Pearson's (a Gaussian signal gives 3, not 0) and skewness the biased sample
/// skewness, as `scipy.stats.kurtosis(x, fisher=False)` and `scipy.stats.skew(x)` compute them.
public struct Features: Sendable, Equatable {
    /// Samples in the window.
    public var count: Int
    public var mean: Double
    /// Population standard deviation (divides by n).
    public var standardDeviation: Double
    /// Root mean square (of the signal, mean included).
    public var rms: Double
    /// Largest absolute value.
    public var peak: Double
    /// Largest minus smallest value.
    public var peakToPeak: Double
    /// peak / rms.
    public var crestFactor: Double
    /// Pearson kurtosis, m4 / m2^2 (Gaussian = 3).
    public var kurtosis: Double
    /// m3 / m2^1.5.
    public var skewness: Double
    /// rms / mean of |x|.
    public var shapeFactor: Double
    /// peak / mean of |x|.
    public var impulseFactor: Double
    /// peak / (mean of sqrt|x|)^2.
    public var clearanceFactor: Double

    /// Computes the features of a whole buffer in one go (two passes; exact).
    public init(_ samples: UnsafeBufferPointer<Float>) {
        self.init(MomentSummary(samples))
    }

    init(_ summary: MomentSummary) {
        let n = Double(summary.count)
        count = summary.count
        mean = summary.mean
        let variance = summary.m2 / n
        standardDeviation = variance.squareRoot()
        rms = (summary.mean * summary.mean + variance).squareRoot()
        peak = max(summary.maximum.magnitude, summary.minimum.magnitude)
        peakToPeak = summary.maximum - summary.minimum
        crestFactor = peak / rms
        kurtosis = summary.m2 > 0 ? n * summary.m4 / (summary.m2 * summary.m2) : .nan
        skewness = summary.m2 > 0 ? n.squareRoot() * summary.m3 / Double.pow(summary.m2, 1.5) : .nan
        let meanAbsolute = summary.sumAbsolute / n
        let meanRootAbsolute = summary.sumRootAbsolute / n
        shapeFactor = rms / meanAbsolute
        impulseFactor = peak / meanAbsolute
        clearanceFactor = peak / (meanRootAbsolute * meanRootAbsolute)
    }
}

/// Count, mean and central moment sums (M2, M3, M4) of a block, plus the extremes and absolute
/// sums. Blocks combine exactly (Pébay 2008), so a window of many hops is the combination of its
/// hops' summaries: stable however large the mean, and O(hops) to combine.
struct MomentSummary: Sendable, Equatable {
    var count = 0
    var mean = 0.0
    var m2 = 0.0
    var m3 = 0.0
    var m4 = 0.0
    var minimum = Double.infinity
    var maximum = -Double.infinity
    var sumAbsolute = 0.0
    var sumRootAbsolute = 0.0

    init() {}

    /// Two passes over the block: the mean first, then the central sums, four lanes at a time.
    init(_ samples: UnsafeBufferPointer<Float>) {
        guard !samples.isEmpty else { return }
        let lanes = samples.count / 4 * 4
        var sum4 = SIMD4<Double>()
        var index = 0
        while index < lanes {
            sum4 += SIMD4(Double(samples[index]), Double(samples[index + 1]), Double(samples[index + 2]), Double(samples[index + 3]))
            index += 4
        }
        var sum = sum4.sum()
        for tail in lanes..<samples.count { sum += Double(samples[tail]) }
        count = samples.count
        mean = sum / Double(count)
        let centre = SIMD4<Double>(repeating: mean)
        var m2v = SIMD4<Double>(), m3v = SIMD4<Double>(), m4v = SIMD4<Double>()
        var absolute = SIMD4<Double>(), rootAbsolute = SIMD4<Double>()
        var low = SIMD4<Double>(repeating: .infinity), high = SIMD4<Double>(repeating: -.infinity)
        index = 0
        while index < lanes {
            let value = SIMD4(Double(samples[index]), Double(samples[index + 1]), Double(samples[index + 2]), Double(samples[index + 3]))
            let d = value - centre
            let d2 = d * d
            m2v += d2
            m3v += d2 * d
            m4v += d2 * d2
            let magnitude = value.replacing(with: -value, where: value .< 0)
            absolute += magnitude
            rootAbsolute += magnitude.squareRoot()
            low = pointwiseMin(low, value)
            high = pointwiseMax(high, value)
            index += 4
        }
        m2 = m2v.sum(); m3 = m3v.sum(); m4 = m4v.sum()
        sumAbsolute = absolute.sum(); sumRootAbsolute = rootAbsolute.sum()
        minimum = low.min(); maximum = high.max()
        for tail in lanes..<samples.count {
            let value = Double(samples[tail])
            let d = value - mean
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
            sumAbsolute += value.magnitude
            sumRootAbsolute += value.magnitude.squareRoot()
        }
    }

    /// The summary of `self` followed by `other`.
    func combined(with other: MomentSummary) -> MomentSummary {
        if count == 0 { return other }
        if other.count == 0 { return self }
        let na = Double(count), nb = Double(other.count), n = na + nb
        let delta = other.mean - mean
        let delta2 = delta * delta
        var result = MomentSummary()
        result.count = count + other.count
        result.mean = mean + delta * nb / n
        result.m2 = m2 + other.m2 + delta2 * na * nb / n
        result.m3 = m3 + other.m3 + delta2 * delta * na * nb * (na - nb) / (n * n)
            + 3 * delta * (na * other.m2 - nb * m2) / n
        result.m4 = m4 + other.m4 + delta2 * delta2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6 * delta2 * (na * na * other.m2 + nb * nb * m2) / (n * n) + 4 * delta * (na * other.m3 - nb * m3) / n
        result.minimum = min(minimum, other.minimum)
        result.maximum = max(maximum, other.maximum)
        result.sumAbsolute = sumAbsolute + other.sumAbsolute
        result.sumRootAbsolute = sumRootAbsolute + other.sumRootAbsolute
        return result
    }
}

/// Sliding-window features computed in O(hop) per hop: each hop of samples is summarised once,
/// and a window is the exact combination of its hops' summaries. Storage is allocated at init.
public struct StreamingFeatures: Sendable {
    /// Samples per window.
    public let windowLength: Int
    /// Samples between consecutive windows.
    public let hop: Int
    private var hops: [MomentSummary]
    private var hopsFilled = 0
    private var nextHop = 0
    private var pending: [Float]

    /// Creates a stream; `windowLength` must be a multiple of `hop`.
    public init(windowLength: Int, hop: Int) {
        precondition(hop > 0 && windowLength >= hop && windowLength % hop == 0,
                     "the window length must be a positive multiple of the hop")
        self.windowLength = windowLength
        self.hop = hop
        hops = Array(repeating: MomentSummary(), count: windowLength / hop)
        pending = []
        pending.reserveCapacity(hop)
    }

    /// Adds samples; `onWindow` receives the features of every window completed, oldest first.
    public mutating func append(_ samples: UnsafeBufferPointer<Float>, _ onWindow: (Features) -> Void) {
        var index = 0
        while index < samples.count {
            let take = min(hop - pending.count, samples.count - index)
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: samples[index..<(index + take)]))
            index += take
            guard pending.count == hop else { continue }
            hops[nextHop] = pending.withUnsafeBufferPointer { MomentSummary($0) }
            pending.removeAll(keepingCapacity: true)
            nextHop = (nextHop + 1) % hops.count
            hopsFilled = min(hopsFilled + 1, hops.count)
            if hopsFilled == hops.count {
                var window = MomentSummary()
                for offset in 0..<hops.count { window = window.combined(with: hops[(nextHop + offset) % hops.count]) }
                onWindow(Features(window))
            }
        }
    }

    /// Forgets partial windows (after a gap in the samples).
    public mutating func reset() {
        hopsFilled = 0
        pending.removeAll(keepingCapacity: true)
    }
}
