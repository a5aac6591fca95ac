import CGeodesic

/// A reference ellipsoid.
public struct Ellipsoid: Sendable, Equatable {
    /// Short name, as the command line and route files spell it.
    public let name: String
    /// Equatorial radius, metres.
    public let semiMajorAxis: Double
    /// Flattening.
    public let flattening: Double

    public init(name: String, semiMajorAxis: Double, flattening: Double) {
        self.name = name
        self.semiMajorAxis = semiMajorAxis
        self.flattening = flattening
    }

    /// WGS84 (GPS).
    public static let wgs84 = Ellipsoid(name: "wgs84", semiMajorAxis: 6_378_137, flattening: 1 / 298.257223563)
    /// CGCS2000 (BeiDou, China's national datum): the same axis, a flattening that differs in the
    /// ninth digit (0.1 mm at the poles). The frames differ by decimetres, which an ellipsoid
    /// does not capture; routes name their datum and epoch for that.
    public static let cgcs2000 = Ellipsoid(name: "cgcs2000", semiMajorAxis: 6_378_137, flattening: 1 / 298.257222101)

    /// The ellipsoids by name.
    public static let all = [wgs84, cgcs2000]

    /// First eccentricity squared.
    public var eccentricitySquared: Double { flattening * (2 - flattening) }
}

/// The solution of the inverse problem: distance and azimuths between two points.
public struct GeodesicInverse: Sendable, Equatable {
    /// Distance along the geodesic, metres.
    public var distance: Double
    /// Azimuth at the first point, degrees clockwise from north.
    public var initialAzimuth: Double
    /// Azimuth at the second point (forward), degrees.
    public var finalAzimuth: Double
}

/// The solution of the direct problem: where a geodesic of given start, azimuth and length ends.
public struct GeodesicDirect: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double
    /// Forward azimuth at the end point, degrees.
    public var finalAzimuth: Double
}

/// Geodesics on an ellipsoid by Karney's method (GeographicLib), accurate to about 15
/// nanometres for any pair of points.
public struct Geodesic: Sendable {
    public let ellipsoid: Ellipsoid
    private let solver: Solver

    /// Owns GeographicLib's solver; immutable once made, so shared across threads.
    private final class Solver: @unchecked Sendable {
        let pointer: OpaquePointer

        init(_ ellipsoid: Ellipsoid) { pointer = edge_geodesic_new(ellipsoid.semiMajorAxis, ellipsoid.flattening) }

        deinit { edge_geodesic_free(pointer) }
    }

    public init(_ ellipsoid: Ellipsoid = .wgs84) {
        self.ellipsoid = ellipsoid
        solver = Solver(ellipsoid)
    }

    /// Distance and azimuths from (latitude1, longitude1) to (latitude2, longitude2), degrees.
    public func inverse(latitude1: Double, longitude1: Double, latitude2: Double, longitude2: Double) -> GeodesicInverse {
        var distance = 0.0, azimuth1 = 0.0, azimuth2 = 0.0
        edge_geodesic_inverse(solver.pointer, latitude1, longitude1, latitude2, longitude2, &distance, &azimuth1, &azimuth2)
        return GeodesicInverse(distance: distance, initialAzimuth: azimuth1, finalAzimuth: azimuth2)
    }

    /// The end of the geodesic that leaves (latitude, longitude) at `azimuth` degrees for `distance` metres.
    public func direct(latitude: Double, longitude: Double, azimuth: Double, distance: Double) -> GeodesicDirect {
        var latitude2 = 0.0, longitude2 = 0.0, azimuth2 = 0.0
        edge_geodesic_direct(solver.pointer, latitude, longitude, azimuth, distance, &latitude2, &longitude2, &azimuth2)
        return GeodesicDirect(latitude: latitude2, longitude: longitude2, finalAzimuth: azimuth2)
    }
}
