/// RMC: recommended minimum data: time, status, position, speed, course, date, magnetic
/// variation and (NMEA 2.3+) the FAA mode.
public struct RMC: Sendable, Equatable {
    public var time: TimeOfDay?
    /// True for status `A` (valid), false for `V`.
    public var isValid: Bool?
    @CompactOptional public var latitude: Double? = nil
    @CompactOptional public var longitude: Double? = nil
    @CompactOptional public var speedKnots: Double? = nil
    /// Course over ground, degrees true.
    @CompactOptional public var courseDegrees: Double? = nil
    public var date: CalendarDate?
    /// Magnetic variation in degrees, negative west.
    @CompactOptional public var magneticVariationDegrees: Double? = nil
    /// FAA mode indicator (NMEA 2.3+).
    public var mode: FixQuality?
    /// Navigational status (NMEA 4.10+): `S` safe, `C` caution, `U` unsafe, `V` not valid.
    public var navigationalStatus: UInt8?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 10)
        time = try s[1].timeOfDay()
        if let status = try s[2].character() { isValid = status == UInt8(ascii: "A") || status == UInt8(ascii: "D") }
        latitude = try s[3].coordinate(hemisphere: s[4], limit: 90)
        longitude = try s[5].coordinate(hemisphere: s[6], limit: 180)
        speedKnots = try s[7].double()
        courseDegrees = try s[8].double()
        date = try s[9].ddmmyy()
        if let variation = try s[10].double() {
            magneticVariationDegrees = s[11].first == UInt8(ascii: "W") ? -variation : variation
        }
        if let character = try s[12].character() { mode = FixQuality(faaMode: character) }
        navigationalStatus = try s[13].character()
    }
}
