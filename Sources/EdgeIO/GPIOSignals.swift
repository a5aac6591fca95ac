/// A debounced digital state from raw edges: a new level counts once the line has stayed there
/// for `settle` ns (judged on the edges' timestamps, and on ``settle(now:)`` between edges).
/// Two equal edges in a row mean one was lost (an interrupt missed): they are counted.
public struct DebouncedState: Sendable {
    /// A settled change of level.
    public struct Change: Sendable, Equatable {
        public var level: Bool
        /// When the line reached the level it then kept (the last edge of a bounce burst).
        public var timestamp: Int64
    }

    public let settle: Int64
    public private(set) var level: Bool
    /// Edges lost (two rising or two falling edges in a row).
    public private(set) var lostEdges = 0
    private var candidate: Change?
    private var lastEdge: EdgeEvent.Edge?

    public init(settle nanoseconds: Int64, initial: Bool) {
        settle = nanoseconds
        level = initial
    }

    /// Takes one edge; returns the change it settles, if any.
    public mutating func edge(_ event: EdgeEvent) -> Change? {
        if event.edge == lastEdge { lostEdges += 1 }
        lastEdge = event.edge
        let settled = self.settle(now: event.timestamp)
        let newLevel = event.edge == .rising
        candidate = newLevel == level ? nil : Change(level: newLevel, timestamp: event.timestamp)
        return settled
    }

    /// When the pending change settles if no edge comes first (ns), or nil with none pending.
    public var settlesAt: Int64? { candidate.map { $0.timestamp + settle } }

    /// Between edges: commits a candidate that has held for `settle` ns by `now`.
    public mutating func settle(now: Int64) -> Change? {
        guard let pending = candidate, now - pending.timestamp >= settle else { return nil }
        candidate = nil
        level = pending.level
        return pending
    }
}

/// Pulses and their rate: a counter, the frequency over the last pulses, the shaft speed, and a
/// quality that goes bad when the pulses stop.
public struct PulseRate: Sendable {
    public enum Quality: Sendable, Equatable {
        case good
        /// No pulse for longer than the timeout (a stopped shaft, a broken sensor).
        case bad(reason: String)
    }

    public let pulsesPerRevolution: Double
    /// Seconds without a pulse after which the rate is bad.
    public let timeout: Double
    public private(set) var count = 0
    private let window: Int
    private var times: [Int64]
    private var next = 0

    /// Keeps the last `window` pulse times (the frequency spans `window - 1` periods).
    public init(window: Int = 16, pulsesPerRevolution: Double = 1, timeout: Double = 2) {
        precondition(window >= 2, "the frequency needs two pulses")
        self.pulsesPerRevolution = pulsesPerRevolution
        self.timeout = timeout
        self.window = window
        times = []
        times.reserveCapacity(window)
    }

    /// Counts a pulse (a rising edge) at `timestamp` ns.
    public mutating func pulse(at timestamp: Int64) {
        count += 1
        if times.count < window { times.append(timestamp) } else { times[next] = timestamp }
        next = (next + 1) % window
    }

    private var newest: Int64? { times.isEmpty ? nil : times[(next - 1 + times.count) % times.count] }

    /// Pulses per second over the kept pulses, nil with fewer than two.
    public var frequency: Double? {
        guard times.count >= 2 else { return nil }
        let oldest = times.count < window ? times[0] : times[next]
        guard let newest, newest > oldest else { return nil }
        return Double(times.count - 1) / (Double(newest - oldest) / 1e9)
    }

    /// Revolutions per minute.
    public var shaftRPM: Double? { frequency.map { $0 / pulsesPerRevolution * 60 } }

    /// Good while pulses arrive; bad once `now` is more than the timeout (or three periods,
    /// whichever is longer) after the last pulse.
    public func quality(now: Int64) -> Quality {
        guard let newest else { return .bad(reason: "no pulses yet") }
        let silence = Double(now - newest) / 1e9
        let limit = max(timeout, frequency.map { 3 / $0 } ?? 0)
        return silence > limit ? .bad(reason: "no pulse for \(Int(silence)) s") : .good
    }
}
