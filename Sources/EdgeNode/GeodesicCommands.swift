import NMEAParser
import PatrolAgent

/// What `edge-node geodesic inverse|direct` do, callable from tests.
public enum GeodesicCommands {
    /// The ellipsoid named `name` (wgs84 or cgcs2000).
    /// - Throws: ``EdgeNodeError`` naming the choices.
    public static func ellipsoid(named name: String) throws(EdgeNodeError) -> Ellipsoid {
        guard let ellipsoid = Ellipsoid.all.first(where: { $0.name == name.lowercased() }) else {
            throw .input("--ellipsoid: expected one of \(Ellipsoid.all.map(\.name).joined(separator: ", ")), found '\(name)'")
        }
        return ellipsoid
    }

    /// Checks a latitude and a longitude given on the command line.
    public static func checkPosition(_ latitude: Double, _ longitude: Double, _ which: String) throws(EdgeNodeError) {
        guard (-90...90).contains(latitude) else { throw .input("\(which) latitude \(latitude) is outside -90...90 degrees") }
        guard (-540...540).contains(longitude) else { throw .input("\(which) longitude \(longitude) is outside -540...540 degrees") }
    }

    /// The inverse problem as text or JSON (`s12` metres, `azi1`, `azi2` degrees).
    public static func inverse(_ a: (Double, Double), _ b: (Double, Double), ellipsoid: Ellipsoid, json: Bool) throws(EdgeNodeError) -> String {
        try checkPosition(a.0, a.1, "first")
        try checkPosition(b.0, b.1, "second")
        let result = Geodesic(ellipsoid).inverse(latitude1: a.0, longitude1: a.1, latitude2: b.0, longitude2: b.1)
        if json {
            var w = JSONWriter(capacity: 128)
            w.raw("{\"s12\":"); w.fixed(result.distance, decimals: 9)
            w.key("azi1"); w.fixed(result.initialAzimuth, decimals: 12)
            w.key("azi2"); w.fixed(result.finalAzimuth, decimals: 12)
            w.key("ellipsoid"); w.string(ellipsoid.name)
            w.raw("}\n")
            return String(decoding: w.bytes, as: UTF8.self)
        }
        return "s12  \(format(result.distance, 9)) m\nazi1 \(format(result.initialAzimuth, 12))\u{00B0}\n"
            + "azi2 \(format(result.finalAzimuth, 12))\u{00B0}\n(\(ellipsoid.name))\n"
    }

    /// The direct problem as text or JSON (`lat2`, `lon2`, `azi2` degrees).
    public static func direct(_ a: (Double, Double), azimuth: Double, distance: Double, ellipsoid: Ellipsoid,
                              json: Bool) throws(EdgeNodeError) -> String {
        try checkPosition(a.0, a.1, "start")
        guard distance.isFinite, azimuth.isFinite else { throw .input("the azimuth and the distance must be finite numbers") }
        let result = Geodesic(ellipsoid).direct(latitude: a.0, longitude: a.1, azimuth: azimuth, distance: distance)
        if json {
            var w = JSONWriter(capacity: 128)
            w.raw("{\"lat2\":"); w.fixed(result.latitude, decimals: 12)
            w.key("lon2"); w.fixed(result.longitude, decimals: 12)
            w.key("azi2"); w.fixed(result.finalAzimuth, decimals: 12)
            w.key("ellipsoid"); w.string(ellipsoid.name)
            w.raw("}\n")
            return String(decoding: w.bytes, as: UTF8.self)
        }
        return "lat2 \(format(result.latitude, 12))\u{00B0}\nlon2 \(format(result.longitude, 12))\u{00B0}\n"
            + "azi2 \(format(result.finalAzimuth, 12))\u{00B0}\n(\(ellipsoid.name))\n"
    }
}
