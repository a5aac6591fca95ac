/// A machine's maintenance alarm episodes from its two indicators, velocity severity and anomaly:
/// an episode opens when the worse of them reaches alarm and closes only when both are back to
/// normal, so that one episode gives one alarm and one all-clear however the levels move in
/// between. A pure decision: the channel feeds it each indicator's level as it changes.
public struct AlarmEpisodes: Sendable, Equatable {
    /// Which indicator a level is for.
    public enum Indicator: String, Sendable, CaseIterable {
        case velocity, anomaly
    }

    /// What an update changed.
    public enum Change: Sendable, Equatable {
        /// An episode began; `indicator` is the one at alarm (anomaly when both are).
        case opened(indicator: Indicator)
        /// Both indicators are normal again.
        case cleared
    }

    public private(set) var velocity = AlarmLevel.normal
    public private(set) var anomaly = AlarmLevel.normal
    /// Whether an episode is open.
    public private(set) var isOpen = false

    public init() {}

    /// The worse of the two levels.
    public var worst: AlarmLevel { max(velocity, anomaly) }

    /// Takes `indicator`'s new level; returns the episode's change, if any.
    public mutating func update(_ indicator: Indicator, to level: AlarmLevel) -> Change? {
        switch indicator {
        case .velocity: velocity = level
        case .anomaly: anomaly = level
        }
        if worst == .alarm && !isOpen {
            isOpen = true
            return .opened(indicator: anomaly == .alarm ? .anomaly : .velocity)
        }
        if worst == .normal && isOpen {
            isOpen = false
            return .cleared
        }
        return nil
    }
}
