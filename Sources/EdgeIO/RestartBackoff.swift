#if canImport(Glibc)
import Glibc
#endif

/// How long to wait before trying a device (or a port) again: `initial` after the first failure,
/// doubling with each further one up to `maximum`, and back to `initial` after a success. A pure
/// decision: the caller owns the clock and the waiting.
public struct RestartBackoff: Sendable, Equatable {
    /// Seconds before the first retry.
    public let initial: Double
    /// The longest wait, seconds.
    public let maximum: Double
    /// The wait the next failure gets, seconds.
    public private(set) var next: Double

    public init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        next = initial
    }

    /// One more failure: the seconds to wait before the next try.
    public mutating func failed() -> Double {
        defer { next = min(maximum, next * 2) }
        return next
    }

    /// A success: the next failure waits `initial` again.
    public mutating func succeeded() { next = initial }
}

/// Waits `seconds` in slices of at most 20 ms of `sleep`, returning early when `shouldStop` says
/// so; `clock` gives monotonic seconds.
public func wait(_ seconds: Double, unless shouldStop: () -> Bool, clock: () -> Double = monotonicSeconds,
                 sleep: (Double) -> Void = { usleep(useconds_t($0 * 1e6)) }) {
    let end = clock() + seconds
    while !shouldStop() {
        let left = end - clock()
        guard left > 0 else { return }
        sleep(min(left, 0.02))
    }
}
