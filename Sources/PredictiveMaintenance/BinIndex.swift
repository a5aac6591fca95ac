extension Int {
    /// `value` rounded by `rule` and held within `bounds`; NaN gives the lower bound. For indices
    /// computed from frequencies and rates that come from devices, files and the command line,
    /// where `Int(_:)` would trap on NaN, infinity or a value past the integers.
    init(clamping value: Double, rounding rule: FloatingPointRoundingRule, to bounds: ClosedRange<Int>) {
        let rounded = value.rounded(rule)
        if !(rounded > Double(bounds.lowerBound)) {
            self = bounds.lowerBound
        } else if rounded >= Double(bounds.upperBound) {
            self = bounds.upperBound
        } else {
            self = Int(rounded)
        }
    }
}
