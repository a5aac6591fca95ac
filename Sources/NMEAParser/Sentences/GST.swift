/// GST: pseudorange error statistics (1-sigma, metres).
public struct GST: Sendable, Equatable {
    public var time: TimeOfDay?
    /// RMS of the pseudorange residuals.
    public var rangeRMS: Double?
    public var semiMajorMetres: Double?
    public var semiMinorMetres: Double?
    /// Orientation of the semi-major axis, degrees from true north.
    public var orientationDegrees: Double?
    public var latitudeErrorMetres: Double?
    public var longitudeErrorMetres: Double?
    public var altitudeErrorMetres: Double?

    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 9)
        time = try s[1].timeOfDay()
        rangeRMS = try s[2].double()
        semiMajorMetres = try s[3].double()
        semiMinorMetres = try s[4].double()
        orientationDegrees = try s[5].double()
        latitudeErrorMetres = try s[6].double()
        longitudeErrorMetres = try s[7].double()
        altitudeErrorMetres = try s[8].double()
    }
}
