/// A satellite navigation system. Raw values are gpsd's and u-blox's `gnssid`.
public enum GNSSSystem: UInt8, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case gps = 0
    case sbas = 1
    case galileo = 2
    case beidou = 3
    case imes = 4
    case qzss = 5
    case glonass = 6
    case navic = 7

    /// The NMEA 4.10+ system ID (GSA field 18, GSV last field) for this system, if it has one.
    public var nmeaSystemID: Int? {
        switch self {
        case .gps, .sbas: 1
        case .glonass: 2
        case .galileo: 3
        case .beidou: 4
        case .qzss: 5
        case .navic: 6
        case .imes: nil
        }
    }

    /// The system for an NMEA 4.10+ system ID (1 GPS, 2 GLONASS, 3 Galileo, 4 BeiDou, 5 QZSS, 6 NavIC).
    public init?(nmeaSystemID: Int) {
        switch nmeaSystemID {
        case 1: self = .gps
        case 2: self = .glonass
        case 3: self = .galileo
        case 4: self = .beidou
        case 5: self = .qzss
        case 6: self = .navic
        default: return nil
        }
    }

    public static func < (lhs: GNSSSystem, rhs: GNSSSystem) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .gps: "GPS"
        case .sbas: "SBAS"
        case .galileo: "Galileo"
        case .beidou: "BeiDou"
        case .imes: "IMES"
        case .qzss: "QZSS"
        case .glonass: "GLONASS"
        case .navic: "NavIC"
        }
    }
}
