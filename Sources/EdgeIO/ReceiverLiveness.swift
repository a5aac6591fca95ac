/// Whether a receiver is alive, judged from when its bytes and its epochs last came: silent (no
/// byte for `silentAfter` seconds), stalled (bytes, but no epoch for as long), and back. A pure
/// decision on the caller's clock: the receiver service's read loop feeds it and reports what it
/// says, and tests drive it on virtual time.
public struct ReceiverLiveness: Sendable, Equatable {
    /// A change worth reporting.
    public enum Change: Sendable, Equatable {
        /// No byte for this many seconds.
        case silent(seconds: Double)
        /// Bytes, but no epoch for this many seconds.
        case stalled(seconds: Double)
        /// Bytes after silence, or an epoch after a stall.
        case resumed
    }

    /// Seconds without a byte (or an epoch) before the receiver counts as silent (or stalled).
    public let silentAfter: Double
    private var lastByte: Double
    private var lastEpoch: Double
    public private(set) var isSilent = false
    public private(set) var isStalled = false

    /// A receiver whose port opened at `now`.
    public init(silentAfter: Double, now: Double) {
        self.silentAfter = silentAfter
        lastByte = now
        lastEpoch = now
    }

    /// A read at `now` gave no byte.
    public mutating func nothingRead(at now: Double) -> Change? {
        guard !isSilent, now - lastByte >= silentAfter else { return nil }
        isSilent = true
        return .silent(seconds: now - lastByte)
    }

    /// A read at `now` gave bytes, which completed an epoch or not. After silence the stall is
    /// timed from the bytes' return.
    public mutating func bytesRead(at now: Double, completedEpoch: Bool) -> [Change] {
        var changes: [Change] = []
        if isSilent {
            isSilent = false
            lastEpoch = now
            changes.append(.resumed)
        }
        lastByte = now
        if completedEpoch {
            lastEpoch = now
            if isStalled {
                isStalled = false
                changes.append(.resumed)
            }
        } else if !isStalled && now - lastEpoch >= silentAfter {
            isStalled = true
            changes.append(.stalled(seconds: now - lastEpoch))
        }
        return changes
    }
}
