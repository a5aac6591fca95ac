/// GSA: DOPs and the satellites used in the solution. From NMEA 4.10 one GSA per system, named
/// by the system ID in field 18, which takes precedence over the talker.
public struct GSA: Sendable {
    /// `M` manual or `A` automatic 2D/3D selection.
    public var selection: UInt8?
    /// 1 no fix, 2 2D, 3 3D.
    public var fixMode: Int?
    /// Satellite numbers as sent (not yet normalised); see ``satellites(talker:)``.
    public var satelliteNumbers: InlineArray<24, Int16>
    /// How many of ``satelliteNumbers`` are set.
    public var satelliteCount: Int
    @CompactOptional public var pdop: Double? = nil
    @CompactOptional public var hdop: Double? = nil
    @CompactOptional public var vdop: Double? = nil
    /// The NMEA 4.10+ system ID, when sent.
    public var system: GNSSSystem?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 18)
        selection = try s[1].character()
        fixMode = try s[2].int()
        satelliteNumbers = InlineArray(repeating: 0)
        satelliteCount = 0
        // Twelve satellite fields is the standard; some receivers send more. The three DOPs follow
        // them, then (NMEA 4.10+) a one-character system ID. SiRF appends a fourth DOP instead.
        let hasSystemID = s.fieldCount >= 19 && s[s.fieldCount - 1].bytes.count == 1
        let lastSatellite = s.fieldCount <= 19 ? 14 : s.fieldCount - (hasSystemID ? 4 : 3) - 1
        for index in 3...lastSatellite {
            guard let number = try s[index].int() else { continue }
            guard satelliteCount < satelliteNumbers.count else { break }
            satelliteNumbers[satelliteCount] = Int16(clamping: number)
            satelliteCount += 1
        }
        let dop = lastSatellite + 1
        pdop = try s[dop].double()
        hdop = try s[dop + 1].double()
        vdop = try s[dop + 2].double()
        if hasSystemID, let id = try s[s.fieldCount - 1].hex() {
            system = GNSSSystem(nmeaSystemID: id)
        }
    }

    /// The used satellites, normalised with the system ID when sent, else the talker's system.
    public func satellites(talker: GNSSSystem?) -> some Sequence<SatelliteID> {
        let declared = system ?? talker
        return (0..<satelliteCount).lazy.compactMap { SatelliteID(nmeaNumber: Int(self.satelliteNumbers[$0]), system: declared) }
    }
}
