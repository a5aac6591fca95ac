/// VTG: course and speed over ground.
public struct VTG: Sendable, Equatable {
    @CompactOptional public var courseTrueDegrees: Double? = nil
    @CompactOptional public var courseMagneticDegrees: Double? = nil
    @CompactOptional public var speedKnots: Double? = nil
    @CompactOptional public var speedKilometresPerHour: Double? = nil
    /// FAA mode indicator (NMEA 2.3+).
    public var mode: FixQuality?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 8)
        courseTrueDegrees = try s[1].double()
        courseMagneticDegrees = try s[3].double()
        speedKnots = try s[5].double()
        speedKilometresPerHour = try s[7].double()
        if let character = try s[9].character() { mode = FixQuality(faaMode: character) }
    }
}
