import RealModule

/// A least-squares trend of a health indicator over time, and the time until it reaches a threshold.
public struct TrendFit: Sendable, Equatable {
    /// How the indicator grows.
    public enum Model: String, Sendable {
        /// y = a + b t.
        case linear
        /// y = exp(a + b t): wear that accelerates (fitted as a line through ln y).
        case exponential
    }

    public var model: Model
    /// a (in ln units for the exponential model).
    public var intercept: Double
    /// b per second (in ln units per second for the exponential model).
    public var slope: Double
    public var slopeStandardError: Double
    /// slope / its standard error.
    public var tStatistic: Double
    /// True when |t| reaches Student's two-sided 95 % quantile for n - 2 degrees of freedom.
    public var isSignificant: Bool
    public var pointCount: Int

    /// Fits `values` (positive for the exponential model) at `times` (seconds). Nil with fewer
    /// than three points or when the times do not vary.
    public init?(times: [Double], values: [Double], model: Model = .linear) {
        precondition(times.count == values.count, "one time per value")
        let n = times.count
        guard n >= 3 else { return nil }
        let ys: [Double]
        switch model {
        case .linear: ys = values
        case .exponential:
            guard values.allSatisfy({ $0 > 0 }) else { return nil }
            ys = values.map { Double.log($0) }
        }
        let meanT = times.reduce(0, +) / Double(n), meanY = ys.reduce(0, +) / Double(n)
        var stt = 0.0, sty = 0.0
        for index in 0..<n {
            stt += (times[index] - meanT) * (times[index] - meanT)
            sty += (times[index] - meanT) * (ys[index] - meanY)
        }
        guard stt > 0 else { return nil }
        slope = sty / stt
        intercept = meanY - slope * meanT
        var residuals = 0.0
        for index in 0..<n {
            let residual = ys[index] - (intercept + slope * times[index])
            residuals += residual * residual
        }
        slopeStandardError = (residuals / Double(n - 2) / stt).squareRoot()
        tStatistic = slopeStandardError > 0 ? slope / slopeStandardError : (slope == 0 ? 0 : .infinity)
        isSignificant = tStatistic.magnitude >= studentT975(degreesOfFreedom: n - 2)
        self.model = model
        pointCount = n
    }

    /// The fitted indicator at time `t`.
    public func value(at t: Double) -> Double {
        let line = intercept + slope * t
        return model == .linear ? line : Double.exp(line)
    }

    /// Seconds from `now` until the fitted indicator reaches `threshold`, with a 95 % interval from
    /// the slope's confidence interval (upper bound infinite when the slope could be zero). Nil
    /// when the trend is not significant, moves away from the threshold, or is past it already.
    public func timeToThreshold(_ threshold: Double, from now: Double) -> RemainingLife? {
        guard isSignificant else { return nil }
        let target = model == .linear ? threshold : (threshold > 0 ? Double.log(threshold) : -.infinity)
        let current = intercept + slope * now
        let distance = target - current
        guard distance != 0, distance.sign == slope.sign else { return nil }
        let margin = studentT975(degreesOfFreedom: pointCount - 2) * slopeStandardError
        let fast = slope.magnitude + margin, slow = slope.magnitude - margin
        return RemainingLife(seconds: distance.magnitude / slope.magnitude,
                             lowerSeconds: distance.magnitude / fast,
                             upperSeconds: slow > 0 ? distance.magnitude / slow : .infinity)
    }
}

/// Remaining useful life: the time to a threshold with its 95 % interval.
public struct RemainingLife: Sendable, Equatable {
    public var seconds: Double
    public var lowerSeconds: Double
    public var upperSeconds: Double
}

/// Student's t two-sided 95 % quantile: exact table to 30 degrees of freedom, then the
/// Cornish-Fisher expansion around 1.96 (error below 1e-4).
func studentT975(degreesOfFreedom nu: Int) -> Double {
    let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                           2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                           2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
    guard nu > 0 else { return .infinity }
    if nu <= table.count { return table[nu - 1] }
    let z = 1.959963984540054, v = Double(nu)
    let z3 = z * z * z, z5 = z3 * z * z
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
}
