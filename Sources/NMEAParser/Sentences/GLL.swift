/// GLL: geographic position, time and status.
public struct GLL: Sendable, Equatable {
    @CompactOptional public var latitude: Double? = nil
    @CompactOptional public var longitude: Double? = nil
    public var time: TimeOfDay?
    /// True for status `A`.
    public var isValid: Bool?
    /// FAA mode indicator (NMEA 2.3+).
    public var mode: FixQuality?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 7)
        latitude = try s[1].coordinate(hemisphere: s[2], limit: 90)
        longitude = try s[3].coordinate(hemisphere: s[4], limit: 180)
        time = try s[5].timeOfDay()
        if let status = try s[6].character() { isValid = status == UInt8(ascii: "A") }
        if let character = try s[7].character() { mode = FixQuality(faaMode: character) }
    }
}
