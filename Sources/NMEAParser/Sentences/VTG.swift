/// VTG: course and speed over ground.
public struct VTG: Sendable, Equatable {
    public var courseTrueDegrees: Double?
    public var courseMagneticDegrees: Double?
    public var speedKnots: Double?
    public var speedKilometresPerHour: Double?
    /// FAA mode indicator (NMEA 2.3+).
    public var mode: FixQuality?

    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 8)
        courseTrueDegrees = try s[1].double()
        courseMagneticDegrees = try s[3].double()
        speedKnots = try s[5].double()
        speedKilometresPerHour = try s[7].double()
        if let character = try s[9].character() { mode = FixQuality(faaMode: character) }
    }
}
