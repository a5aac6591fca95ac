/// Alarm levels, lowest first.
public enum AlarmLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case normal = 0
    case warning = 1
    case alarm = 2

    public static func < (lhs: AlarmLevel, rhs: AlarmLevel) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { ["normal", "warning", "alarm"][rawValue] }
}

/// What the machine is doing, from an operating-state input (a run contact, a speed channel).
public struct OperatingState: Sendable, Equatable {
    public var running: Bool
    /// Shaft speed, Hz, when measured.
    public var speedHz: Double?

    public init(running: Bool, speedHz: Double? = nil) {
        self.running = running
        self.speedHz = speedHz
    }
}

/// Thresholds and the rules that make alarms trustworthy: persistence (N of the last M windows),
/// hysteresis, and gating on the operating state.
public struct AlarmRule: Sendable, Equatable {
    public var warning: Double
    public var alarm: Double
    /// A level is raised when at least `persistenceCount` of the last `persistenceWindow`
    /// windows reach it.
    public var persistenceCount: Int
    public var persistenceWindow: Int
    /// A level clears when `persistenceCount` windows in a row fall below its threshold
    /// lowered by this fraction.
    public var hysteresis: Double
    /// Windows are judged only while the machine runs within this speed range (Hz), when a
    /// speed is known.
    public var speedRange: ClosedRange<Double>?

    public init(warning: Double, alarm: Double, persistenceCount: Int = 3, persistenceWindow: Int = 5,
                hysteresis: Double = 0.1, speedRange: ClosedRange<Double>? = nil) {
        precondition(warning <= alarm, "the warning threshold is at most the alarm threshold")
        precondition(persistenceCount >= 1 && persistenceCount <= persistenceWindow, "N of M needs 1 <= N <= M")
        self.warning = warning
        self.alarm = alarm
        self.persistenceCount = persistenceCount
        self.persistenceWindow = persistenceWindow
        self.hysteresis = hysteresis
        self.speedRange = speedRange
    }

    func threshold(_ level: AlarmLevel) -> Double {
        switch level {
        case .normal: -.infinity
        case .warning: warning
        case .alarm: alarm
        }
    }
}

/// A change of alarm level.
public struct AlarmEvent: Sendable, Equatable {
    public var level: AlarmLevel
    public var previous: AlarmLevel
    public var value: Double
    /// When, on the caller's clock (seconds).
    public var time: Double
}

/// Applies an ``AlarmRule`` to one indicator, window by window. Time comes from the caller's
/// (injected) clock; nothing here reads a clock.
public struct AlarmMonitor: Sendable {
    public let rule: AlarmRule
    public private(set) var level = AlarmLevel.normal
    /// Windows skipped because the machine was stopped or out of its speed range.
    public private(set) var gatedWindows = 0
    private var history: [AlarmLevel] = []
    private var clearRun = 0

    public init(rule: AlarmRule) {
        self.rule = rule
        history.reserveCapacity(rule.persistenceWindow)
    }

    /// Judges one window's value; returns an event when the level changes.
    public mutating func evaluate(_ value: Double, at time: Double, operating: OperatingState) -> AlarmEvent? {
        let inRange = operating.speedHz.map { speed in rule.speedRange.map { $0.contains(speed) } ?? true } ?? true
        guard operating.running && inRange else {
            // Stopped or starting up: nothing is judged, and the persistence history restarts.
            gatedWindows += 1
            history.removeAll(keepingCapacity: true)
            clearRun = 0
            return nil
        }
        let instant: AlarmLevel = value >= rule.alarm ? .alarm : value >= rule.warning ? .warning : .normal
        if history.count == rule.persistenceWindow { history.removeFirst() }
        history.append(instant)
        var next = level
        // Raise: N of the last M windows at or above a higher level.
        for candidate in AlarmLevel.allCases.reversed() where candidate > level {
            var reached = 0
            for past in history where past >= candidate { reached += 1 }
            if reached >= rule.persistenceCount {
                next = candidate
                break
            }
        }
        // Clear: N windows in a row below the current level's threshold lowered by the hysteresis.
        if next == level && level > .normal {
            clearRun = value < rule.threshold(level) * (1 - rule.hysteresis) ? clearRun + 1 : 0
            if clearRun >= rule.persistenceCount {
                next = value >= rule.warning * (1 - rule.hysteresis) && level == .alarm ? .warning : .normal
            }
        }
        guard next != level else { return nil }
        let event = AlarmEvent(level: next, previous: level, value: value, time: time)
        level = next
        clearRun = 0
        history.removeAll(keepingCapacity: true)
        return event
    }
}
