/// GGA: time, position, fix quality, satellites, HDOP, altitude above mean sea level, geoid
/// separation and differential age. Empty fields are nil.
public struct GGA: Sendable, Equatable {
    public var time: TimeOfDay?
    /// Degrees, negative south.
    @CompactOptional public var latitude: Double? = nil
    /// Degrees, negative west.
    @CompactOptional public var longitude: Double? = nil
    public var quality: FixQuality?
    public var satellitesUsed: Int?
    @CompactOptional public var hdop: Double? = nil
    /// Metres above mean sea level (the geoid).
    @CompactOptional public var altitudeMSLMetres: Double? = nil
    /// Geoid height above the ellipsoid, metres.
    @CompactOptional public var geoidSeparationMetres: Double? = nil
    /// Seconds since the last differential correction.
    @CompactOptional public var differentialAgeSeconds: Double? = nil
    public var differentialStation: Int?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 10)
        time = try s[1].timeOfDay()
        latitude = try s[2].coordinate(hemisphere: s[3], limit: 90)
        longitude = try s[4].coordinate(hemisphere: s[5], limit: 180)
        if let raw = try s[6].int() {
            guard let value = FixQuality(rawValue: raw) else { throw NMEADecodeError(.outOfRange, field: 6) }
            quality = value
        }
        satellitesUsed = try s[7].int()
        hdop = try s[8].double()
        altitudeMSLMetres = try s[9].double()
        geoidSeparationMetres = try s[11].double()
        differentialAgeSeconds = try s[13].double()
        differentialStation = try s[14].int()
    }
}

@inline(__always)
func requireFields(_ s: NMEASentence, _ count: Int) throws(NMEADecodeError) {
    guard s.fieldCount >= count else { throw NMEADecodeError(.tooFewFields, field: s.fieldCount) }
}
