import JSONText

/// The types a point keeps from the device to the JSON edge (the basic types Sparkplug B carries).
public enum PointDatatype: String, Sendable, CaseIterable {
    case bool, int64, uint64, double, string
}

/// A point's value, in its own type: a coil stays a bool, a 64-bit counter stays exact, a
/// string stays text.
public enum PointValue: Sendable, Equatable, CustomStringConvertible {
    case bool(Bool)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)

    public var datatype: PointDatatype {
        switch self {
        case .bool: .bool
        case .int64: .int64
        case .uint64: .uint64
        case .double: .double
        case .string: .string
        }
    }

    /// As a number for thresholds, deadbands and analysis (a bool is 0 or 1); nil for text.
    public var doubleValue: Double? {
        switch self {
        case .bool(let value): value ? 1 : 0
        case .int64(let value): Double(value)
        case .uint64(let value): Double(value)
        case .double(let value): value
        case .string: nil
        }
    }

    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int64(let value): "\(value)"
        case .uint64(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): value
        }
    }

    /// Appends the value as JSON: integers exact, doubles with six decimals (null when not
    /// finite), text escaped.
    public func write(into writer: inout JSONWriter) {
        switch self {
        case .bool(let value): value ? writer.raw("true") : writer.raw("false")
        case .int64(let value): writer.integer(Int(value))
        case .uint64(let value): writer.unsigned(value)
        case .double(let value): writer.fixed(value, decimals: 6)
        case .string(let value): writer.string(value)
        }
    }
}

/// Why a point's value cannot be used.
public enum BadCause: String, Sendable, CaseIterable {
    /// NaN or an infinity (some devices' "not available", or registers read in the wrong order).
    case notFinite = "not_finite"
    /// A value that overflows once scaled.
    case outOfRange = "out_of_range"
    /// The device's own marker for "no valid value".
    case invalidMarker = "invalid_marker"
    /// The device answered with an exception (Modbus).
    case deviceException = "device_exception"
    /// The connection or the request failed.
    case communication
    /// The device sends nothing, or bytes but no data (a receiver without epochs).
    case silent
    /// The port, chip or file cannot be opened.
    case unavailable
    /// A signal stopped: pulses, or vibration samples.
    case noSignal = "no_signal"
}

/// A value's quality.
public enum PointQuality: Sendable, Equatable, CustomStringConvertible {
    case good
    /// The last good value, not refreshed since `since` (monotonic seconds), and why.
    case stale(since: Double, reason: String)
    /// No usable value, with the cause and what happened.
    case bad(BadCause, reason: String)

    public var isGood: Bool { self == .good }

    /// `good`, `stale` or `bad`, without the reason.
    public var kind: String {
        switch self {
        case .good: "good"
        case .stale: "stale"
        case .bad: "bad"
        }
    }

    /// `good`, `stale: REASON` or `bad: REASON`: the text the event log and /status show.
    public var description: String {
        switch self {
        case .good: kind
        case .stale(_, let reason), .bad(_, let reason): "\(kind): \(reason)"
        }
    }
}
