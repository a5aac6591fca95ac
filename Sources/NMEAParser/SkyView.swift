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
    /// The satellites, in the order the receiver listed them.
    public private(set) var satellites: [SkySatellite]
    /// GSV sets that ended with parts missing.
    public internal(set) var incompleteSets = 0

    init() {
        satellites = []
        satellites.reserveCapacity(128)
    }

    mutating func removeAll() {
        satellites.removeAll(keepingCapacity: true)
        incompleteSets = 0
    }

    /// Adds a satellite of the GSV set that starts at `setStart`; a repeat within the set replaces
    /// the earlier entry. Sets are kept apart: receivers that send no signal ID send one set per signal.
    mutating func append(_ satellite: SkySatellite, setStart: Int) {
        if let index = satellites[setStart...].firstIndex(where: { $0.id == satellite.id && $0.signalID == satellite.signalID }) {
            satellites[index] = satellite
        } else {
            satellites.append(satellite)
        }
    }

    mutating func markUsed(_ used: UsedSatellites) {
        for index in satellites.indices {
            satellites[index].used = satellites[index].snr != nil && used.contains(satellites[index].id)
        }
    }

    /// Satellites seen in a system (counting each satellite once across signals).
    public func seenCount(_ system: GNSSSystem) -> Int {
        var count = 0
        for (index, satellite) in satellites.enumerated() where satellite.id.system == system {
            if !satellites[..<index].contains(where: { $0.id == satellite.id }) { count += 1 }
        }
        return count
    }
}

/// The set of satellites the GSA sentences of an epoch name as used; fixed capacity, no allocation.
struct UsedSatellites: Sendable {
    private var ids: InlineArray<64, SatelliteID> = InlineArray(repeating: SatelliteID(system: .gps, number: 0))
    private(set) var count = 0

    mutating func removeAll() { count = 0 }

    mutating func insert(_ id: SatelliteID) {
        guard !contains(id), count < ids.count else { return }
        ids[count] = id
        count += 1
    }

    func contains(_ id: SatelliteID) -> Bool {
        for index in 0..<count where ids[index] == id { return true }
        return false
    }

    /// Count per system.
    func perSystem() -> InlineArray<8, UInt8> {
        var result = InlineArray<8, UInt8>(repeating: 0)
        for index in 0..<count { result[Int(ids[index].system.rawValue)] &+= 1 }
        return result
    }
}
