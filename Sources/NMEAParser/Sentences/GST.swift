/// GST: pseudorange error statistics (1-sigma, metres).
public struct GST: Sendable, Equatable {
    public var time: TimeOfDay?
    /// RMS of the pseudorange residuals.
    @CompactOptional public var rangeRMS: Double? = nil
    @CompactOptional public var semiMajorMetres: Double? = nil
    @CompactOptional public var semiMinorMetres: Double? = nil
    /// Orientation of the semi-major axis, degrees from true north.
    @CompactOptional public var orientationDegrees: Double? = nil
    @CompactOptional public var latitudeErrorMetres: Double? = nil
    @CompactOptional public var longitudeErrorMetres: Double? = nil
    @CompactOptional public var altitudeErrorMetres: Double? = nil

    @usableFromInline
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
