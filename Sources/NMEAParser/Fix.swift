/// 2D/3D solution mode, as GSA reports it.
public enum FixMode: Int, Sendable, Comparable {
    case none = 1
    case twoD = 2
    case threeD = 3

    public static func < (lhs: FixMode, rhs: FixMode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Everything one receiver epoch said about the position solution. Absent values are nil.
public struct Fix: Sendable {
    /// UTC date, when a date is known (from RMC or ZDA, carried across epochs).
    public var date: CalendarDate?
    /// UTC time of day of the epoch.
    public var time: TimeOfDay?
    /// Degrees, negative south.
    public var latitude: Double?
    /// Degrees, negative west.
    public var longitude: Double?
    /// Metres above mean sea level.
    public var altitudeMSLMetres: Double?
    /// Geoid height above the ellipsoid, metres.
    public var geoidSeparationMetres: Double?
    /// Speed over ground, metres per second.
    public var speedMetresPerSecond: Double?
    /// Course over ground, degrees true.
    public var courseDegrees: Double?
    /// Magnetic variation, degrees, negative west.
    public var magneticVariationDegrees: Double?
    /// True heading (HDT), degrees.
    public var headingDegrees: Double?
    /// Fix quality: GGA's, else the best FAA mode of the epoch, else invalid.
    public var quality: FixQuality = .invalid
    /// 2D/3D mode (GSA), else derived from what the epoch carried.
    public var mode: FixMode = .none
    public var hdop: Double?
    public var vdop: Double?
    public var pdop: Double?
    /// Satellites used, as GGA/GNS counts them.
    public var satellitesUsedReported: Int?
    /// Satellites used per system, from the GSA sentences (index: ``GNSSSystem/rawValue``).
    public var satellitesUsed: InlineArray<8, UInt8> = InlineArray(repeating: 0)
    /// Seconds since the last differential correction.
    public var differentialAgeSeconds: Double?
    public var differentialStation: Int?
    /// GST error estimates (1-sigma, metres).
    public var latitudeErrorMetres: Double?
    public var longitudeErrorMetres: Double?
    public var altitudeErrorMetres: Double?
    public var rangeRMS: Double?
    public var errorEllipseMajorMetres: Double?
    public var errorEllipseMinorMetres: Double?
    public var errorEllipseOrientationDegrees: Double?

    /// Creates an empty fix.
    public init() {}

    /// Height above the WGS84 ellipsoid: MSL altitude plus geoid separation.
    public var altitudeHAEMetres: Double? {
        guard let msl = altitudeMSLMetres, let separation = geoidSeparationMetres else { return nil }
        return msl + separation
    }

    /// Total satellites used across systems, from GSA.
    public var satellitesUsedTotal: Int {
        var total = 0
        for index in satellitesUsed.indices { total += Int(satellitesUsed[index]) }
        return total
    }

    /// True when the epoch carries a usable position.
    public var hasPosition: Bool { quality.hasPosition && latitude != nil && longitude != nil }
}
