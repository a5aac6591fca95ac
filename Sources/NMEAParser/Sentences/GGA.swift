/// GGA: time, position, fix quality, satellites, HDOP, altitude above mean sea level, geoid
/// separation and differential age. Empty fields are nil.
public struct GGA: Sendable, Equatable {
    public var time: TimeOfDay?
    /// Degrees, negative south.
    public var latitude: Double?
    /// Degrees, negative west.
    public var longitude: Double?
    public var quality: FixQuality?
    public var satellitesUsed: Int?
    public var hdop: Double?
    /// Metres above mean sea level (the geoid).
    public var altitudeMSLMetres: Double?
    /// Geoid height above the ellipsoid, metres.
    public var geoidSeparationMetres: Double?
    /// Seconds since the last differential correction.
    public var differentialAgeSeconds: Double?
    public var differentialStation: Int?

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
