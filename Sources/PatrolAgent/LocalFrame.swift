import RealModule

/// A point in a local east-north-up frame, metres.
public struct ENU: Sendable, Equatable {
    public var east: Double
    public var north: Double
    public var up: Double

    public init(east: Double, north: Double, up: Double = 0) {
        self.east = east
        self.north = north
        self.up = up
    }

    /// Horizontal distance to another point, metres.
    public func horizontalDistance(to other: ENU) -> Double {
        let de = other.east - east, dn = other.north - north
        return (de * de + dn * dn).squareRoot()
    }
}

/// A local east-north-up frame through ECEF at a site origin: park-scale geometry (arrival radii,
/// fences, cross-track) in metres on a plane tangent at the origin. Exact transforms (no
/// projection): within 5 km of the origin the horizontal distances differ from the geodesic by
/// well under a millimetre.
public struct LocalFrame: Sendable, Equatable {
    public let ellipsoid: Ellipsoid
    /// Origin latitude and longitude, degrees; height above the ellipsoid, metres.
    public let originLatitude: Double
    public let originLongitude: Double
    public let originHeight: Double
    private let origin: (x: Double, y: Double, z: Double)
    private let sinLatitude: Double, cosLatitude: Double, sinLongitude: Double, cosLongitude: Double

    public init(latitude: Double, longitude: Double, height: Double = 0, ellipsoid: Ellipsoid = .wgs84) {
        self.ellipsoid = ellipsoid
        originLatitude = latitude
        originLongitude = longitude
        originHeight = height
        let phi = latitude * .pi / 180, lambda = longitude * .pi / 180
        sinLatitude = Double.sin(phi)
        cosLatitude = Double.cos(phi)
        sinLongitude = Double.sin(lambda)
        cosLongitude = Double.cos(lambda)
        origin = Self.ecef(latitude: latitude, longitude: longitude, height: height, ellipsoid: ellipsoid)
    }

    public static func == (lhs: LocalFrame, rhs: LocalFrame) -> Bool {
        lhs.ellipsoid == rhs.ellipsoid && lhs.originLatitude == rhs.originLatitude
            && lhs.originLongitude == rhs.originLongitude && lhs.originHeight == rhs.originHeight
    }

    /// Earth-centred, earth-fixed coordinates, metres.
    static func ecef(latitude: Double, longitude: Double, height: Double, ellipsoid: Ellipsoid) -> (x: Double, y: Double, z: Double) {
        let phi = latitude * .pi / 180, lambda = longitude * .pi / 180
        let sinPhi = Double.sin(phi), cosPhi = Double.cos(phi)
        let e2 = ellipsoid.eccentricitySquared
        let n = ellipsoid.semiMajorAxis / (1 - e2 * sinPhi * sinPhi).squareRoot()
        return ((n + height) * cosPhi * Double.cos(lambda), (n + height) * cosPhi * Double.sin(lambda), (n * (1 - e2) + height) * sinPhi)
    }

    /// The point in this frame.
    public func enu(latitude: Double, longitude: Double, height: Double = 0) -> ENU {
        let p = Self.ecef(latitude: latitude, longitude: longitude, height: height, ellipsoid: ellipsoid)
        let dx = p.x - origin.x, dy = p.y - origin.y, dz = p.z - origin.z
        return ENU(east: -sinLongitude * dx + cosLongitude * dy,
                   north: -sinLatitude * cosLongitude * dx - sinLatitude * sinLongitude * dy + cosLatitude * dz,
                   up: cosLatitude * cosLongitude * dx + cosLatitude * sinLongitude * dy + sinLatitude * dz)
    }

    /// Latitude, longitude (degrees) and height of a point of this frame (Bowring's method,
    /// iterated to convergence: exact to micrometres).
    public func geodetic(_ point: ENU) -> (latitude: Double, longitude: Double, height: Double) {
        let x = origin.x - sinLongitude * point.east - sinLatitude * cosLongitude * point.north + cosLatitude * cosLongitude * point.up
        let y = origin.y + cosLongitude * point.east - sinLatitude * sinLongitude * point.north + cosLatitude * sinLongitude * point.up
        let z = origin.z + cosLatitude * point.north + sinLatitude * point.up
        let a = ellipsoid.semiMajorAxis, e2 = ellipsoid.eccentricitySquared
        let p = (x * x + y * y).squareRoot()
        var phi = Double.atan2(y: z, x: p * (1 - e2))
        var height = 0.0
        for _ in 0..<5 {
            let sinPhi = Double.sin(phi)
            let n = a / (1 - e2 * sinPhi * sinPhi).squareRoot()
            height = p / Double.cos(phi) - n
            phi = Double.atan2(y: z, x: p * (1 - e2 * n / (n + height)))
        }
        return (phi * 180 / .pi, Double.atan2(y: y, x: x) * 180 / .pi, height)
    }

    /// atan2(y, x) in radians.
    static func atan2(_ y: Double, _ x: Double) -> Double { Double.atan2(y: y, x: x) }
}

#if !hasFeature(Embedded)
extension ENU: Codable {}
#endif
