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
    @CompactOptional public var latitude: Double? = nil
    /// Degrees, negative west.
    @CompactOptional public var longitude: Double? = nil
    /// Metres above mean sea level.
    @CompactOptional public var altitudeMSLMetres: Double? = nil
    /// Geoid height above the ellipsoid, metres.
    @CompactOptional public var geoidSeparationMetres: Double? = nil
    /// Speed over ground, metres per second.
    @CompactOptional public var speedMetresPerSecond: Double? = nil
    /// Course over ground, degrees true.
    @CompactOptional public var courseDegrees: Double? = nil
    /// Magnetic variation, degrees, negative west.
    @CompactOptional public var magneticVariationDegrees: Double? = nil
    /// True heading (HDT), degrees.
    @CompactOptional public var headingDegrees: Double? = nil
    /// Fix quality: GGA's, else the best FAA mode of the epoch, else invalid.
    public var quality: FixQuality = .invalid
    /// 2D/3D mode (GSA), else derived from what the epoch carried.
    public var mode: FixMode = .none
    @CompactOptional public var hdop: Double? = nil
    @CompactOptional public var vdop: Double? = nil
    @CompactOptional public var pdop: Double? = nil
    /// Satellites used, as GGA/GNS counts them.
    public var satellitesUsedReported: Int?
    /// Satellites used per system, from the GSA sentences (index: ``GNSSSystem/rawValue``).
    public var satellitesUsed: InlineArray<8, UInt8> = InlineArray(repeating: 0)
    /// Seconds since the last differential correction.
    @CompactOptional public var differentialAgeSeconds: Double? = nil
    public var differentialStation: Int?
    /// GST error estimates (1-sigma, metres).
    @CompactOptional public var latitudeErrorMetres: Double? = nil
    @CompactOptional public var longitudeErrorMetres: Double? = nil
    @CompactOptional public var altitudeErrorMetres: Double? = nil
    @CompactOptional public var rangeRMS: Double? = nil
    @CompactOptional public var errorEllipseMajorMetres: Double? = nil
    @CompactOptional public var errorEllipseMinorMetres: Double? = nil
    @CompactOptional public var errorEllipseOrientationDegrees: Double? = nil

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
