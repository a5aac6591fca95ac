/// A satellite, normalised to its system and its number within that system (GPS 1-32, SBAS by PRN
/// 120-158, GLONASS slot 1-32, Galileo 1-36, BeiDou 1-63, QZSS 1-10, NavIC 1-14).
public struct SatelliteID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The navigation system.
    public let system: GNSSSystem
    private let storedNumber: UInt16

    /// The number within the system.
    public var number: Int { Int(storedNumber) }

    /// Creates an identifier.
    public init(system: GNSSSystem, number: Int) {
        self.system = system
        storedNumber = UInt16(truncatingIfNeeded: number)
    }

    /// Normalises a satellite number as a sentence gives it.
    ///
    /// The NMEA 4.10+ system ID, when present, wins over the talker; otherwise the talker's system
    /// decides; for the combined `GN` talker the number's range decides. BeiDou is accepted in all
    /// three schemes (1-63, 201-263, 401-463), Galileo in three (1-36, Quectel's 101-136, 301-336), and a BeiDou number above 32 stays BeiDou (gpsd 3.22
    /// turns it into SBAS in the second and later sentences of a GSV set).
    /// - Returns: nil for 0, empty or numbers no scheme assigns.
    public init?(nmeaNumber raw: Int, system declared: GNSSSystem?) {
        guard raw > 0 else { return nil }
        switch declared {
        case .gps?, .sbas?:
            switch raw {
            case 1...32: self.init(system: .gps, number: raw)
            case 33...64: self.init(system: .sbas, number: raw + 87)
            case 120...158: self.init(system: .sbas, number: raw)
            default: self.init(rangeNumber: raw)
            }
        case .glonass?:
            switch raw {
            case 1...32: self.init(system: .glonass, number: raw)
            case 65...96: self.init(system: .glonass, number: raw - 64)
            default: return nil
            }
        case .galileo?:
            switch raw {
            case 1...36: self.init(system: .galileo, number: raw)
            case 101...136: self.init(system: .galileo, number: raw - 100) // Quectel
            case 301...336: self.init(system: .galileo, number: raw - 300)
            default: return nil
            }
        case .beidou?:
            switch raw {
            case 1...63: self.init(system: .beidou, number: raw)
            case 201...263: self.init(system: .beidou, number: raw - 200)
            case 401...463: self.init(system: .beidou, number: raw - 400)
            default: return nil
            }
        case .qzss?:
            switch raw {
            case 1...10: self.init(system: .qzss, number: raw)
            case 193...202: self.init(system: .qzss, number: raw - 192)
            default: return nil
            }
        case .navic?:
            guard raw <= 14 else { return nil }
            self.init(system: .navic, number: raw)
        case .imes?, nil:
            self.init(rangeNumber: raw)
        }
    }

    /// The NMEA 2.x "one number space" convention used by combined (`GN`) talkers.
    private init?(rangeNumber raw: Int) {
        switch raw {
        case 1...32: self.init(system: .gps, number: raw)
        case 33...64: self.init(system: .sbas, number: raw + 87)
        case 65...96: self.init(system: .glonass, number: raw - 64)
        case 120...158: self.init(system: .sbas, number: raw)
        case 193...200: self.init(system: .qzss, number: raw - 192)
        case 201...263: self.init(system: .beidou, number: raw - 200) // 201-202 are BeiDou here, not QZSS

        case 301...336: self.init(system: .galileo, number: raw - 300)
        case 401...463: self.init(system: .beidou, number: raw - 400)
        default: return nil
        }
    }

    /// gpsd's PRN for this satellite: GPS 1-32, SBAS 120-158, GLONASS 65-96, QZSS 193-202,
    /// Galileo 301-336, BeiDou 401-463, NavIC 501-514.
    public var gpsdPRN: Int {
        switch system {
        case .gps, .sbas, .imes: number
        case .glonass: number + 64
        case .qzss: number + 192
        case .galileo: number + 300
        case .beidou: number + 400
        case .navic: number + 500
        }
    }

    public static func < (lhs: SatelliteID, rhs: SatelliteID) -> Bool {
        (lhs.system, lhs.number) < (rhs.system, rhs.number)
    }

    public var description: String { "\(system) \(number)" }
}
