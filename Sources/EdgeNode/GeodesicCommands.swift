import JSONText
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
        return render([("s12", result.distance, 9, " m"), ("azi1", result.initialAzimuth, 12, "\u{00B0}"),
                       ("azi2", result.finalAzimuth, 12, "\u{00B0}")], ellipsoid: ellipsoid, json: json)
    }

    /// The direct problem as text or JSON (`lat2`, `lon2`, `azi2` degrees).
    public static func direct(_ a: (Double, Double), azimuth: Double, distance: Double, ellipsoid: Ellipsoid,
                              json: Bool) throws(EdgeNodeError) -> String {
        try checkPosition(a.0, a.1, "start")
        guard distance.isFinite, azimuth.isFinite else { throw .input("the azimuth and the distance must be finite numbers") }
        let result = Geodesic(ellipsoid).direct(latitude: a.0, longitude: a.1, azimuth: azimuth, distance: distance)
        return render([("lat2", result.latitude, 12, "\u{00B0}"), ("lon2", result.longitude, 12, "\u{00B0}"),
                       ("azi2", result.finalAzimuth, 12, "\u{00B0}")], ellipsoid: ellipsoid, json: json)
    }

    /// One JSON object (the keys, then `ellipsoid`), or one line per value with its unit.
    private static func render(_ values: [(key: String, value: Double, decimals: Int, unit: String)], ellipsoid: Ellipsoid,
                               json: Bool) -> String {
        guard json else {
            return values.map { "\($0.key.padding(5))\(format($0.value, $0.decimals))\($0.unit)\n" }.joined() + "(\(ellipsoid.name))\n"
        }
        var w = JSONWriter(capacity: 128)
        w.byte(UInt8(ascii: "{"))
        for (key, value, decimals, _) in values {
            w.string(key); w.byte(UInt8(ascii: ":")); w.fixed(value, decimals: decimals); w.byte(UInt8(ascii: ","))
        }
        w.raw("\"ellipsoid\":"); w.string(ellipsoid.name)
        w.raw("}\n")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
