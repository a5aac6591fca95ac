import Foundation
import Testing

@Suite("geodesic commands")
struct GeodesicCommandTests {
    /// JSON keys s12/azi1/azi2 and lat2/lon2/azi2; negative coordinates with and without `--`;
    /// the values agree with pip geographiclib.
    @Test func inverseAndDirectAgainstGeographiclib() throws {
        let reference = try JSONSerialization.jsonObject(with: Data(python("""
            import json
            from geographiclib.geodesic import Geodesic
            g = Geodesic(6378137, 1/298.257222101)
            i = g.Inverse(40.64, -73.78, -1.36, 103.99)
            d = Geodesic.WGS84.Direct(-33.87, 151.21, -120, 10000)
            print(json.dumps({"s12": i["s12"], "azi1": i["azi1"], "azi2": i["azi2"], "lat2": d["lat2"], "lon2": d["lon2"], "azi2d": d["azi2"]}))
            """).utf8)) as! [String: Double]
        for arguments in [["geodesic", "inverse", "--json", "--ellipsoid", "cgcs2000", "--", "40.64", "-73.78", "-1.36", "103.99"],
                          ["geodesic", "inverse", "40.64", "-73.78", "-1.36", "103.99", "--ellipsoid", "cgcs2000", "--json"]] {
            let result = try runEdgeNode(arguments)
            #expect(result.status == 0, "\(result.err)")
            let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
            #expect(((object["s12"] as! Double) - reference["s12"]!).magnitude < 1e-6)
            #expect(((object["azi1"] as! Double) - reference["azi1"]!).magnitude < 1e-9)
            #expect(((object["azi2"] as! Double) - reference["azi2"]!).magnitude < 1e-9)
        }
        let direct = try runEdgeNode(["geodesic", "direct", "--json", "--", "-33.87", "151.21", "-120", "10000"])
        let object = try JSONSerialization.jsonObject(with: Data(direct.out.utf8)) as! [String: Any]
        #expect(((object["lat2"] as! Double) - reference["lat2"]!).magnitude < 1e-11)
        #expect(((object["lon2"] as! Double) - reference["lon2"]!).magnitude < 1e-11)
        #expect(((object["azi2"] as! Double) - reference["azi2d"]!).magnitude < 1e-11)
    }

    @Test func badInputIsAUsageError() throws {
        let few = try runEdgeNode(["geodesic", "inverse", "1", "2", "3"])
        #expect(few.status == 2 && few.err.contains("expected LAT1 LON1 LAT2 LON2, got 3 values"))
        let latitude = try runEdgeNode(["geodesic", "inverse", "91", "2", "3", "4"])
        #expect(latitude.status == 2 && latitude.err == "edge-node: first latitude 91.0 is outside -90...90 degrees\n")
        let ellipsoid = try runEdgeNode(["geodesic", "direct", "1", "2", "3", "4", "--ellipsoid", "bessel"])
        #expect(ellipsoid.status == 2 && ellipsoid.err.contains("expected one of wgs84, cgcs2000"))
    }
}

/// Runs a Python script and returns what it printed.
func python(_ script: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
