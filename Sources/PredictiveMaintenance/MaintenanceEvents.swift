import JSONText

/// The maintenance side of the event log, shared by the daemon and the firmware build: which of a
/// vibration channel's events make an event line, and the line's fields. One `maintenance_alarm`
/// when an alarm episode opens (with the window's diagnosis as evidence), one
/// `maintenance_cleared` when it closes, `baseline_learnt`, and `sample_gap` with the samples
/// missing.
public struct MaintenanceEvent {
    /// The line's `event` member.
    public let kind: StaticString
    /// Writes the line's members after `event`, `source` and `utc`.
    public let fields: (inout JSONWriter) -> Void
    /// The bearing verdict of an alarm's window (nil for the other kinds).
    public let verdict: BearingFault?

    /// The line `event` makes, or nil; `episodes` takes the alarm levels as they change, and
    /// `block` is the block of samples the event came from, taken in `operating` state (diagnosed
    /// at the shaft speed then when an alarm opens).
    public init?(_ event: VibrationChannel.Event, episodes: inout AlarmEpisodes, channel: VibrationChannel,
                 block: UnsafeBufferPointer<Float>, operating: OperatingState) {
        switch event {
        case .window:
            return nil
        case .gap(let missing):
            self.init(kind: "sample_gap", fields: { w in w.key("missing_samples"); w.integer(missing) }, verdict: nil)
        case .health(.baselineLearnt):
            self.init(kind: "baseline_learnt", fields: { _ in }, verdict: nil)
        case .health(.velocity(let alarm)), .health(.anomaly(let alarm)):
            let indicator: AlarmEpisodes.Indicator = if case .health(.velocity) = event { .velocity } else { .anomaly }
            switch episodes.update(indicator, to: alarm.level) {
            case .opened(let cause)?:
                let diagnosis = channel.analyzer.analyze(block, rate: channel.timing.measuredRate, shaftHz: operating.speedHz)
                self.init(kind: "maintenance_alarm", fields: { w in
                    w.key("indicator"); w.string(cause.rawValue)
                    w.key("value"); w.fixed(alarm.value, decimals: 3)
                    w.key("velocity_rms_mm_s"); w.fixed(diagnosis.velocityRMS, decimals: 3)
                    w.key("zone"); w.string(diagnosis.zone.rawValue)
                    w.key("bearing_verdict"); w.string(diagnosis.verdict.rawValue)
                }, verdict: diagnosis.verdict)
            case .cleared?:
                self.init(kind: "maintenance_cleared", fields: { _ in }, verdict: nil)
            case nil:
                return nil
            }
        }
    }

    private init(kind: StaticString, fields: @escaping (inout JSONWriter) -> Void, verdict: BearingFault?) {
        self.kind = kind
        self.fields = fields
        self.verdict = verdict
    }
}
