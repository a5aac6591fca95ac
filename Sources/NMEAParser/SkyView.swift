/// One satellite in view on one signal.
public struct SkySatellite: Sendable, Equatable {
    public var id: SatelliteID
    /// NMEA 4.10+ signal ID (hexadecimal digit as sent, e.g. 1 = L1 C/A, 7 = L5/B2a, B = ...), 0 if not sent.
    public var signalID: Int
    public var elevationDegrees: Int?
    public var azimuthDegrees: Int?
    /// Carrier-to-noise density, dB-Hz; nil when not tracked.
    public var snr: Int?
    /// True when the latest GSA lists the satellite as used and it is tracked on this signal
    /// (has an SNR), as gpsd decides it.
    public var used: Bool
}

/// The satellites seen in one epoch, assembled from the GSV sets of every talker and signal.
/// Storage is allocated once and reused.
public struct SkyView: Sendable {
    /// The most satellite-signal entries one sky view holds, several times a real sky's (six
    /// systems over China show some 60 satellites, on up to three signals each). When epochs do
    /// not close, because no sentence carries the time yet, a full sky view starts over instead of
    /// growing with every GSV set.
    public static let maximumEntries = 1024
    /// The satellites, in the order the receiver listed them.
    public private(set) var satellites: [SkySatellite]
    /// GSV sets that ended with parts missing.
    public internal(set) var incompleteSets = 0
    private var seen = SatelliteSet()

    init() {
        satellites = []
        satellites.reserveCapacity(128)
    }

    mutating func removeAll() {
        satellites.removeAll(keepingCapacity: true)
        incompleteSets = 0
        seen.removeAll()
    }

    /// Adds a satellite of the GSV set that starts at `setStart`; a repeat within the set replaces
    /// the earlier entry. Sets are kept apart: receivers that send no signal ID send one set per signal.
    mutating func append(_ satellite: SkySatellite, setStart: Int) {
        // An index loop, not a slice: a slice would retain the storage for every satellite.
        var index = setStart
        while index < satellites.count {
            if satellites[index].id == satellite.id && satellites[index].signalID == satellite.signalID {
                satellites[index] = satellite
                return
            }
            index += 1
        }
        satellites.append(satellite)
        seen.insert(satellite.id)
    }

    mutating func markUsed(_ used: SatelliteSet) {
        satellites.withUnsafeMutableBufferPointer { entries in
            for index in entries.indices { entries[index].used = used.marks(entries[index]) }
        }
    }

    /// Satellites seen in a system (counting each satellite once across signals).
    public func seenCount(_ system: GNSSSystem) -> Int { seen.count(in: system) }

    /// Satellites seen per system (index: ``GNSSSystem/rawValue``).
    var seenPerSystem: InlineArray<8, UInt8> { seen.perSystem() }
}

/// A set of satellites without allocation: one 64-bit mask per system (every system numbers its
/// satellites below 64; SBAS PRNs 120-158 are offset by 100).
struct SatelliteSet: Sendable {
    private var masks: InlineArray<8, UInt64> = InlineArray(repeating: 0)

    mutating func removeAll() { masks = InlineArray(repeating: 0) }

    mutating func insert(_ id: SatelliteID) {
        guard let bit = Self.bit(id) else { return }
        masks[Int(id.system.rawValue)] |= bit
    }

    func contains(_ id: SatelliteID) -> Bool {
        guard let bit = Self.bit(id) else { return false }
        return masks[Int(id.system.rawValue)] & bit != 0
    }

    /// Whether a satellite in view counts as used: named here and tracked on its signal (has an SNR).
    func marks(_ satellite: SkySatellite) -> Bool { satellite.snr != nil && contains(satellite.id) }

    var isEmpty: Bool {
        for index in masks.indices where masks[index] != 0 { return false }
        return true
    }

    func count(in system: GNSSSystem) -> Int { masks[Int(system.rawValue)].nonzeroBitCount }

    /// Count per system.
    func perSystem() -> InlineArray<8, UInt8> {
        var result = InlineArray<8, UInt8>(repeating: 0)
        for index in masks.indices { result[index] = UInt8(masks[index].nonzeroBitCount) }
        return result
    }

    private static func bit(_ id: SatelliteID) -> UInt64? {
        let position = id.system == .sbas ? id.number - 100 : id.number
        return (0..<64).contains(position) ? 1 << UInt64(position) : nil
    }
}
