/// The patrols' clock: the receiver's time (GPS seconds) at each epoch, carried on by the
/// monotonic clock while epochs stop coming (a silent, stalled or vanished receiver), so that the
/// patrols learn their positions are stale while fixes are missing, not when they return. A pure
/// decision: the caller passes both clocks' readings.
public struct PatrolClock: Sendable {
    private var last: (receiver: Double, monotonic: Double)?

    public init() {}

    /// An epoch with the receiver's `time`, seen at `monotonic` seconds.
    public mutating func epoch(receiverTime time: Double, at monotonic: Double) { last = (time, monotonic) }

    /// The receiver's time now, at `monotonic` seconds, as it would read had epochs kept coming;
    /// nil before the first epoch.
    public func receiverTime(at monotonic: Double) -> Double? {
        last.map { $0.receiver + max(0, monotonic - $0.monotonic) }
    }
}
