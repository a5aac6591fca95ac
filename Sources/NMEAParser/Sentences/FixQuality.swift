/// Fix quality as GGA reports it (field 6), also derived from FAA mode indicators.
public enum FixQuality: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case invalid = 0
    case gps = 1
    case differential = 2
    case pps = 3
    case rtkFixed = 4
    case rtkFloat = 5
    case deadReckoning = 6
    case manual = 7
    case simulation = 8

    /// The quality an FAA mode indicator (RMC, GLL, GNS, VTG) stands for.
    public init?(faaMode: UInt8) {
        switch faaMode {
        case UInt8(ascii: "A"): self = .gps
        case UInt8(ascii: "D"): self = .differential
        case UInt8(ascii: "P"): self = .pps
        case UInt8(ascii: "R"): self = .rtkFixed
        case UInt8(ascii: "F"): self = .rtkFloat
        case UInt8(ascii: "E"): self = .deadReckoning
        case UInt8(ascii: "M"): self = .manual
        case UInt8(ascii: "S"): self = .simulation
        case UInt8(ascii: "N"), UInt8(ascii: "C"), UInt8(ascii: "U"), UInt8(ascii: "V"): self = .invalid
        default: return nil
        }
    }

    /// Ranking for "which is the better fix": RTK fixed > RTK float > differential > PPS > GPS > DR.
    var rank: Int {
        switch self {
        case .invalid: 0
        case .simulation, .manual: 1
        case .deadReckoning: 2
        case .gps: 3
        case .pps: 4
        case .differential: 5
        case .rtkFloat: 6
        case .rtkFixed: 7
        }
    }

    public static func < (lhs: FixQuality, rhs: FixQuality) -> Bool { lhs.rank < rhs.rank }

    /// True when the quality carries a position.
    public var hasPosition: Bool { self != .invalid }

    public var description: String {
        switch self {
        case .invalid: "no fix"
        case .gps: "GPS"
        case .differential: "DGPS"
        case .pps: "PPS"
        case .rtkFixed: "RTK fixed"
        case .rtkFloat: "RTK float"
        case .deadReckoning: "dead reckoning"
        case .manual: "manual"
        case .simulation: "simulation"
        }
    }
}
