/// GNS: GNSS fix data with one mode indicator per constellation (GPS, GLONASS, Galileo, BeiDou,
/// QZSS, NavIC in that order, NMEA 4.10+).
public struct GNS: Sendable, Equatable {
    public var time: TimeOfDay?
    @CompactOptional public var latitude: Double? = nil
    @CompactOptional public var longitude: Double? = nil
    /// The best quality among the per-constellation mode indicators.
    public var mode: FixQuality?
    public var satellitesUsed: Int?
    @CompactOptional public var hdop: Double? = nil
    @CompactOptional public var altitudeMSLMetres: Double? = nil
    @CompactOptional public var geoidSeparationMetres: Double? = nil
    @CompactOptional public var differentialAgeSeconds: Double? = nil
    public var differentialStation: Int?
    /// Navigational status (NMEA 4.10+): `S`, `C`, `U` or `V`.
    public var navigationalStatus: UInt8?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 10)
        time = try s[1].timeOfDay()
        latitude = try s[2].coordinate(hemisphere: s[3], limit: 90)
        longitude = try s[4].coordinate(hemisphere: s[5], limit: 180)
        for character in s[6].bytes {
            guard let quality = FixQuality(faaMode: character) else { throw NMEADecodeError(.invalidCharacter, field: 6) }
            if mode.map({ quality > $0 }) ?? true { mode = quality }
        }
        satellitesUsed = try s[7].int()
        hdop = try s[8].double()
        altitudeMSLMetres = try s[9].double()
        geoidSeparationMetres = try s[10].double()
        differentialAgeSeconds = try s[11].double()
        differentialStation = try s[12].int()
        navigationalStatus = try s[13].character()
    }
}
