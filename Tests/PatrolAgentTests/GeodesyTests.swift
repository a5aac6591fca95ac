import Foundation
import Testing
@testable import PatrolAgent

/// The recordings in `Tests/Fixtures/` (permissively licensed, in the repository: see its README).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A gzip fixture, decompressed with gzip(1).
    static func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", root.appendingPathComponent(path).path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return String(decoding: output, as: UTF8.self)
    }
}

@Suite("Geodesy")
struct GeodesyTests {
    /// GeographicLib's test set: every line's distance (inverse) and end point (direct) within 1 micrometre.
    @Test func geodTestShort() throws {
        let text = try Fixtures.gunzip("geodesy/GeodTest-short.dat.gz")
        let geodesic = Geodesic(.wgs84)
        var lines = 0, worstDistance = 0.0, worstPosition = 0.0
        for line in text.split(separator: "\n") {
            let v = line.split(separator: " ").compactMap { Double($0) }
            guard v.count >= 7 else { continue }
            lines += 1
            let inverse = geodesic.inverse(latitude1: v[0], longitude1: v[1], latitude2: v[3], longitude2: v[4])
            worstDistance = max(worstDistance, (inverse.distance - v[6]).magnitude)
            let direct = geodesic.direct(latitude: v[0], longitude: v[1], azimuth: v[2], distance: v[6])
            // The end point's error in metres: the geodesic distance to where it should be.
            let miss = geodesic.inverse(latitude1: direct.latitude, longitude1: direct.longitude, latitude2: v[3], longitude2: v[4]).distance
            worstPosition = max(worstPosition, miss)
        }
        #expect(lines == 10_000)
        #expect(worstDistance < 1e-6, "worst distance error \(worstDistance) m")
        #expect(worstPosition < 1e-6, "worst direct position error \(worstPosition) m")
    }

    /// pip geographiclib as a live oracle on random pairs, on both ellipsoids.
    @Test func geographiclibOracle() throws {
        var random = SystemRandomNumberGenerator()
        var cases: [[Double]] = []
        for _ in 0..<200 {
            cases.append([Double.random(in: -90...90, using: &random), Double.random(in: -180...180, using: &random),
                          Double.random(in: -90...90, using: &random), Double.random(in: -180...180, using: &random)])
        }
        let input = cases.map { $0.map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
        let python = """
            import sys, json
            from geographiclib.geodesic import Geodesic
            lines = [list(map(float, l.split())) for l in sys.stdin.read().split("\\n") if l.strip()]
            out = {}
            for name, f in (("wgs84", 1/298.257223563), ("cgcs2000", 1/298.257222101)):
                g = Geodesic(6378137, f)
                out[name] = [[r["s12"], r["azi1"], r["azi2"]] for r in (g.Inverse(*c) for c in lines)]
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", python]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = try JSONSerialization.jsonObject(with: data) as! [String: [[Double]]]
        for ellipsoid in Ellipsoid.all {
            let geodesic = Geodesic(ellipsoid)
            for (c, expected) in zip(cases, reference[ellipsoid.name]!) {
                let ours = geodesic.inverse(latitude1: c[0], longitude1: c[1], latitude2: c[2], longitude2: c[3])
                #expect((ours.distance - expected[0]).magnitude < 1e-6, "\(ellipsoid.name) \(c)")
                #expect(angleDifference(ours.initialAzimuth, expected[1]) < 1e-9 || expected[0] < 1e-3)
                #expect(angleDifference(ours.finalAzimuth, expected[2]) < 1e-9 || expected[0] < 1e-3)
            }
        }
    }

    /// The local frame against the geodesic: horizontal distance and cross-track distance within
    /// 1 mm for points within 3.5 km of origins at 18-54 N; the frame round-trips.
    @Test func localFrameAgainstTheGeodesic() {
        var random = SystemRandomNumberGenerator()
        let geodesic = Geodesic(.cgcs2000)
        var worstDistance = 0.0, worstCrossTrack = 0.0, worstRoundTrip = 0.0
        for _ in 0..<300 {
            let latitude = Double.random(in: 18...54, using: &random), longitude = Double.random(in: 73...135, using: &random)
            let frame = LocalFrame(latitude: latitude, longitude: longitude, ellipsoid: .cgcs2000)
            func randomPoint() -> (Double, Double) {
                let p = geodesic.direct(latitude: latitude, longitude: longitude, azimuth: Double.random(in: 0..<360, using: &random),
                                        distance: Double.random(in: 0...3500, using: &random))
                return (p.latitude, p.longitude)
            }
            let a = randomPoint(), b = randomPoint(), p = randomPoint()
            let ea = frame.enu(latitude: a.0, longitude: a.1), eb = frame.enu(latitude: b.0, longitude: b.1)
            let ep = frame.enu(latitude: p.0, longitude: p.1)
            let truth = geodesic.inverse(latitude1: a.0, longitude1: a.1, latitude2: b.0, longitude2: b.1)
            worstDistance = max(worstDistance, (ea.horizontalDistance(to: eb) - truth.distance).magnitude)
            // Cross-track on the ellipsoid: the nearest point of the geodesic a-b to p, by golden section.
            var low = 0.0, high = truth.distance
            func distanceAt(_ s: Double) -> Double {
                let q = geodesic.direct(latitude: a.0, longitude: a.1, azimuth: truth.initialAzimuth, distance: s)
                return geodesic.inverse(latitude1: q.latitude, longitude1: q.longitude, latitude2: p.0, longitude2: p.1).distance
            }
            for _ in 0..<80 {
                let m1 = low + (high - low) * 0.381966, m2 = low + (high - low) * 0.618034
                if distanceAt(m1) < distanceAt(m2) { high = m2 } else { low = m1 }
            }
            worstCrossTrack = max(worstCrossTrack, (segmentDistance(ep, ea, eb) - distanceAt((low + high) / 2)).magnitude)
            let back = frame.geodetic(ep)
            worstRoundTrip = max(worstRoundTrip, geodesic.inverse(latitude1: back.latitude, longitude1: back.longitude,
                                                                  latitude2: p.0, longitude2: p.1).distance, back.height.magnitude)
        }
        #expect(worstDistance < 0.001, "worst ENU distance error \(worstDistance) m")
        #expect(worstCrossTrack < 0.001, "worst cross-track error \(worstCrossTrack) m")
        #expect(worstRoundTrip < 1e-6, "worst round trip \(worstRoundTrip) m")
    }

    @Test func polygonBoundaryRuleAndSignedDistance() {
        let square = Polygon([ENU(east: 0, north: 0), ENU(east: 100, north: 0), ENU(east: 100, north: 100), ENU(east: 0, north: 100)])
        #expect(square.signedDistance(to: ENU(east: 50, north: 50)) == -50)
        #expect(square.signedDistance(to: ENU(east: 130, north: 50)) == 30)
        #expect(square.contains(ENU(east: 100, north: 40)))      // on an edge
        #expect(square.contains(ENU(east: 0, north: 0)))         // on a vertex
        #expect(!square.contains(ENU(east: 100.01, north: 40)))
        #expect(square.signedDistance(to: ENU(east: 103, north: 104)) == 5)
        let bowtie = Polygon([ENU(east: 0, north: 0), ENU(east: 10, north: 10), ENU(east: 10, north: 0), ENU(east: 0, north: 10)])
        #expect(bowtie.isSelfIntersecting && !square.isSelfIntersecting)
    }
}

func angleDifference(_ a: Double, _ b: Double) -> Double {
    var d = (a - b).truncatingRemainder(dividingBy: 360)
    if d > 180 { d -= 360 } else if d < -180 { d += 360 }
    return d.magnitude
}

@Suite("Chinese map offsets")
struct ChineseMapOffsetTests {
    /// GCJ-02 and BD-09 against pip eviltransform on points across China, within 1e-6 degree
    /// (0.1 m). The two disagree by about 1 cm: eviltransform scales the offset with the WGS84
    /// radius (6,378,137 m); the algorithm as published, and we, use Krasovsky's 6,378,245 m.
    /// Either is far inside what offset detection needs (metres).
    @Test func matchesEviltransform() throws {
        var random = SystemRandomNumberGenerator()
        let points = (0..<100).map { _ in Coordinate(latitude: Double.random(in: 18...53, using: &random), longitude: Double.random(in: 74...134, using: &random)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, json, eviltransform as e
            pts = json.loads(sys.stdin.read())
            print(json.dumps([[*e.wgs2gcj(a, b), *e.gcj2bd(*e.wgs2gcj(a, b))] for a, b in pts]))
            """]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: points.map { [$0.latitude, $0.longitude] }))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = try JSONSerialization.jsonObject(with: data) as! [[Double]]
        for (point, reference) in zip(points, expected) {
            let gcj = ChineseMapOffset.gcj02(fromWGS84: point), bd = ChineseMapOffset.bd09(fromGCJ02: gcj)
            #expect((gcj.latitude - reference[0]).magnitude < 1e-6 && (gcj.longitude - reference[1]).magnitude < 1e-6, "\(point)")
            #expect((bd.latitude - reference[2]).magnitude < 1e-6 && (bd.longitude - reference[3]).magnitude < 1e-6, "\(point)")
        }
    }
}
