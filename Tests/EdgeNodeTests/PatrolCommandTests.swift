import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import EdgeNode
import JSONText
import PatrolAgent

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `$BODY*HH` and CR LF.
func sentence(_ body: String) -> String {
    var sum: UInt8 = 0
    for byte in body.utf8 { sum ^= byte }
    return "$\(body)*\(String(format: "%02X", sum))\r\n"
}

/// An RTK rover's NMEA (GGA + RMC at 1 Hz) driving through `stops` at `speed` m/s, pausing
/// `pause` seconds at each: a capture for replays, made here rather than shipped.
func syntheticDrive(_ stops: [(Double, Double)], speed: Double = 2, pause: Double = 12, quality: Int = 4) -> String {
    func nmea(_ degrees: Double, width: Int, positive: String, negative: String) -> String {
        let value = abs(degrees), whole = Int(value), minutes = (value - Double(whole)) * 60
        return String(format: "%0\(width)d%011.8f,%@", whole, minutes, degrees >= 0 ? positive : negative)
    }
    var positions: [(Double, Double)] = []
    for (index, stop) in stops.enumerated() {
        for _ in 0..<Int(pause) { positions.append(stop) }
        guard index + 1 < stops.count else { break }
        let next = stops[index + 1]
        let north = (next.0 - stop.0) * 110_750, east = (next.1 - stop.1) * 111_320 * cos(stop.0 * .pi / 180)
        let steps = max(1, Int((north * north + east * east).squareRoot() / speed))
        for step in 1..<steps {
            let t = Double(step) / Double(steps)
            positions.append((stop.0 + t * (next.0 - stop.0), stop.1 + t * (next.1 - stop.1)))
        }
    }
    var text = ""
    for (second, p) in positions.enumerated() {
        let time = String(format: "%02d%02d%02d.00", 2 + second / 3600, second / 60 % 60, second % 60)
        let lat = nmea(p.0, width: 2, positive: "N", negative: "S"), lon = nmea(p.1, width: 3, positive: "E", negative: "W")
        text += sentence("GNGGA,\(time),\(lat),\(lon),\(quality),20,0.8,12.0,M,-3.1,M,1.0,0001")
        text += sentence("GNRMC,\(time),A,\(lat),\(lon),3.9,45.0,291126,,,R,V")
    }
    return text
}

@Suite("patrol commands")
struct PatrolCommandTests {
    let route = repository.appendingPathComponent("devices/routes/zhuhai-plant-north.yaml").path
    static let stops = [(22.2710000, 113.5767000), (22.2713612, 113.5778649), (22.2724447, 113.5786415), (22.2729865, 113.5772824),
                        (22.2720835, 113.5763117)]

    /// The demo embeds the shipped route; they must not drift apart.
    @Test func demoRouteIsTheShippedRoute() throws {
        #expect(Demonstration.plantRoute == (try String(contentsOfFile: route, encoding: .utf8)))
    }

    @Test func shippedRouteChecksClean() throws {
        let result = try runEdgeNode(["patrol", "check", route])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("5 checkpoints, 2 fences") && result.out.contains("no findings"))
        let json = try runEdgeNode(["patrol", "check", route, "--json"])
        #expect(json.status == 0, "\(json.err)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let checkpoints = summary["checkpoints"] as? [[String: Any]] ?? []
        #expect(summary["ok"] as? Bool == true && summary["fences"] as? Int == 2 && (summary["findings"] as? [String])?.isEmpty == true)
        #expect(checkpoints.count == 5 && checkpoints.allSatisfy { $0["lat"] is Double && $0["radius_m"] is Double && $0["arrival"] is String })
        #expect((summary["length_m"] as? Double ?? 0) > 0 && summary["frame"] as? String == "CGCS2000")
    }

    /// Replay a synthetic RTK drive through the route: every checkpoint visited; the report is
    /// JSON Lines with the fields of a run record; the same input gives the same bytes; the map is SVG.
    @Test func replayIsDeterministic() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = directory.appendingPathComponent("drive.nmea")
        try syntheticDrive(Self.stops).write(to: capture, atomically: true, encoding: .utf8)
        var reports: [Data] = []
        for run in 0..<2 {
            let report = directory.appendingPathComponent("run\(run).jsonl"), map = directory.appendingPathComponent("run\(run).svg")
            let result = try runEdgeNode(["patrol", "replay", "--route", route, "--nmea", capture.path, "--report", report.path, "--map", map.path])
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out.contains("visited 5, missed 0, skipped 0, uncertain 0"), "\(result.out)")
            reports.append(try Data(contentsOf: report))
            let document = try XMLDocument(data: try Data(contentsOf: map))
            #expect(document.rootElement()?.name == "svg")
        }
        #expect(reports[0] == reports[1])
        let printed = try runEdgeNode(["patrol", "replay", "--route", route, "--nmea", capture.path, "--json"])
        #expect(printed.status == 0 && Data(printed.out.utf8) == reports[0], "\(printed.err)")
        let lines = String(decoding: reports[0], as: UTF8.self).split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let checkpoints = lines.filter { $0["event"] as? String == "checkpoint" }
        #expect(checkpoints.map { $0["checkpoint"] as! String } == ["gate", "pump-house-3", "transformer-T2", "cooling-tower", "warehouse-door"])
        for record in checkpoints {
            for key in ["utc", "gps_week", "gps_seconds", "lat", "lon", "datum", "quality", "hdop", "satellites", "correction_age", "rule", "lateral_offset", "readings"] {
                #expect(record[key] != nil, "\(key) in \(record)")
            }
            #expect(record["datum"] as? String == "CGCS2000" && record["quality"] as? String == "rtk_fixed")
            #expect((record["utc"] as! String).hasPrefix("2026-11-29T02:"))
        }
        #expect(lines.last?["event"] as? String == "summary")
    }

    /// Epochs that keep coming without a position (the antenna lost: GGA quality 0) move the
    /// patrol's clock: geometry goes unknown once the last fix is older than 2 s, as the outage
    /// goes on, not when fixes return; the patrol is still completed after it.
    @Test func positionsGoStaleWhileEpochsComeWithoutThem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Seconds 30-39 of the drive (between the gate and the pump house) without a position.
        var lines = syntheticDrive(Self.stops).split(separator: "\r\n").map(String.init)
        for second in 30..<40 {
            let time = lines[2 * second].split(separator: ",")[1]
            lines[2 * second] = String(sentence("GNGGA,\(time),,,,,0,00,99.9,,M,,M,,").dropLast())   // "\r\n" is one Character
            lines[2 * second + 1] = String(sentence("GNRMC,\(time),V,,,,,,,291126,,,N,V").dropLast())
        }
        let capture = directory.appendingPathComponent("outage.nmea")
        try (lines.joined(separator: "\r\n") + "\r\n").write(to: capture, atomically: true, encoding: .utf8)
        let result = try runEdgeNode(["patrol", "replay", "--route", route, "--nmea", capture.path, "--json"])
        #expect(result.status == 0, "\(result.err)")
        let events = result.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let unknown = events.filter { $0["event"] as? String == "geometry_unknown" }
        #expect(unknown.count == 1, "\(unknown)")
        // The last fix at 02:00:29, the first epoch more than 2 s after it at 02:00:32.
        #expect((unknown.first?["utc"] as? String)?.hasPrefix("2026-11-29T02:00:32") == true, "\(unknown)")
        #expect((unknown.first?["reason"] as? String)?.hasPrefix("stale: no fix for 3") == true, "\(unknown)")
        let trusted = events.filter { $0["event"] as? String == "geometry_trusted" }.compactMap { $0["utc"] as? String }
        #expect(trusted.count == 2 && trusted[1].hasPrefix("2026-11-29T02:00:42"), "\(trusted)")
        #expect(events.last?["visited"] as? Int == 5, "\(events.last ?? [:])")
    }

    /// Killed (SIGKILL) at random points and restarted with the same journal, a replay ends with
    /// the same report as one run straight through: nothing reported twice, nothing lost.
    @Test func killedReplaysResumeWithoutDuplicates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = directory.appendingPathComponent("drive.nmea")
        try syntheticDrive(Self.stops).write(to: capture, atomically: true, encoding: .utf8)
        let straight = directory.appendingPathComponent("straight.jsonl")
        #expect(try runEdgeNode(["patrol", "replay", "--route", route, "--nmea", capture.path, "--report", straight.path]).status == 0)
        let expected = try Data(contentsOf: straight)
        var random = SystemRandomNumberGenerator()
        for trial in 0..<4 {
            let report = directory.appendingPathComponent("report\(trial).jsonl"), journal = directory.appendingPathComponent("journal\(trial).json")
            var kills = 0
            for attempt in 0..<6 {
                let process = Process()
                process.executableURL = repository.appendingPathComponent(".build/debug/edge-node")
                process.arguments = ["patrol", "replay", "--route", route, "--nmea", capture.path, "--report", report.path,
                                     "--journal", journal.path, "--pace", attempt < 3 ? "0.003" : "0"]
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                if attempt < 3 {
                    usleep(UInt32.random(in: 50_000...700_000, using: &random))
                    if process.isRunning {
                        kill(process.processIdentifier, SIGKILL)
                        kills += 1
                    }
                }
                process.waitUntilExit()
                if process.terminationReason == .exit {
                    #expect(process.terminationStatus == 0)
                    break
                }
            }
            #expect(kills > 0, "trial \(trial): the replay finished before any kill")
            #expect(try Data(contentsOf: report) == expected, "trial \(trial) after \(kills) kills")
            #expect(!FileManager.default.fileExists(atPath: journal.path))
        }
    }

    /// Waypoints imported from a GPX file (the seven named waypoints of cerknicko-jezero.gpx) and
    /// from GeoJSON points, with the route's defaults.
    @Test func checkpointsFromGPXAndGeoJSON() throws {
        let gpx = fixtures.appendingPathComponent("tracks/cerknicko-jezero.gpx")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let route = directory.appendingPathComponent("lake.yaml")
        try "route: lake\ndatum: {frame: WGS84}\ndefaults: {radius: 10, arrival: pass-by}\ncheckpoints_from: \(gpx.path)\n"
            .write(to: route, atomically: true, encoding: .utf8)
        let result = try runEdgeNode(["patrol", "check", route.path])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("7 checkpoints"))
        for name in ["001", "BACK T TH", "BIRDS NEST", "FAGGIO", "RAKOV12", "RAKV SKCJN", "VANSHNG LK"] { #expect(result.out.contains(name)) }
        let geojson = directory.appendingPathComponent("points.geojson")
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"tank-7"},"geometry":{"type":"Point","coordinates":[113.5767,22.2710]}},{"type":"Feature","properties":{"name":"valve-2"},"geometry":{"type":"Point","coordinates":[113.5770,22.2712]}}]}"#
            .write(to: geojson, atomically: true, encoding: .utf8)
        try "route: tanks\ndefaults: {radius: 3, minimum_quality: rtk_float}\ncheckpoints_from: points.geojson\n".write(to: route, atomically: true, encoding: .utf8)
        let tanks = try runEdgeNode(["patrol", "check", route.path])
        #expect(tanks.status == 0 && tanks.out.contains("2 checkpoints") && tanks.out.contains("tank-7") && tanks.out.contains("22.27120000 113.57700000"),
                "\(tanks.out)\(tanks.err)")
    }

    /// The compiled route `patrol check --json` exports reads back as the very route the YAML
    /// gave (the firmware build replays it): every arrival rule, policy, task and fence shape.
    @Test func compiledRouteReadsBackAsTheRoute() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let everySetting = directory.appendingPathComponent("every.yaml").path
        try """
            route: every-setting
            datum: {frame: WGS84}
            defaults: {radius: 3, arrival: radius, confirmations: 3, dwell: 2, minimum_quality: rtk_float}
            checkpoints:
              - {name: a, lat: 22.27102, lon: 113.57671, policy: optional, tasks: [{point: p.one, expected: [3.0, 5.5], retries: 2}, {point: p.two}]}
              - {name: b, lat: 22.27152, lon: 113.57721, arrival: pass-by, policy: retry 2}
              - {name: c, lat: 22.2720835, lon: 113.5763117, policy: revisit, minimum_quality: autonomous, radius: 0.3}
            fences:
              - {name: yard, kind: inclusion, level: hard, action: stop, polygon: [[22.26, 113.56], [22.28, 113.56], [22.28, 113.59], [22.26, 113.59]]}
              - {name: sub, kind: exclusion, level: soft, action: warn, circle: {lat: 22.2705, lon: 113.58, radius: 30}}

            """.write(toFile: everySetting, atomically: true, encoding: .utf8)
        for path in [route, everySetting] {
            let exported = try JSONValue(parsing: PatrolCommands.check(path, json: true).text.utf8)
            let compiled = try Route(json: try #require(exported["definition"]))
            #expect(compiled == (try RouteFile.load(path)).route, "\(path)")
        }
        #expect(throws: RouteJSONError.self) { try Route(json: .object(["name": .string("x")])) }
        let incomplete = try JSONValue(parsing: #"{"name":"r","frame":"WGS84","epoch":null,"ellipsoid":{"name":"wgs84","semi_major_axis":6378137,"flattening":0.0033},"checkpoints":[{"name":"g","lat":1}],"fences":[]}"#.utf8)
        let error = #expect(throws: RouteJSONError.self) { try Route(json: incomplete) }
        #expect(error?.description == "checkpoint g: 'arrival' is missing")
    }

    /// A route with every kind of finding, each with file:line:column; an unknown key stops the load.
    @Test func checkReportsFindingsWithPositions() throws {
        let directory = FileManager.default.temporaryDirectory
        let bad = directory.appendingPathComponent("edge-node-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: bad) }
        // The control point was read off a GCJ-02 map: the map coordinates are the survey's, offset.
        let gcj = try String(decoding: pythonOutput("import eviltransform as e; print('%.7f %.7f' % e.wgs2gcj(22.2710, 113.5767))").utf8, as: UTF8.self)
            .split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        try """
            route: bad
            checkpoints:
              - {name: a, lat: 22.2710, lon: 113.5767, radius: 3, minimum_quality: autonomous}
              - {name: b, lat: 22.2750, lon: 113.5767, radius: 3}
            fences:
              - name: yard
                kind: inclusion
                level: hard
                polygon: [[22.2700, 113.5760], [22.2720, 113.5780], [22.2720, 113.5760], [22.2700, 113.5780]]
            control_points:
              - {name: gate, lat: 22.2710, lon: 113.5767, map_lat: \(gcj[0]), map_lon: \(gcj[1])}
            """.write(to: bad, atomically: true, encoding: .utf8)
        let result = try runEdgeNode(["patrol", "check", bad.path])
        #expect(result.status == 2)
        #expect(result.out.contains("\(bad.path):3:5: radius 3.0 m cannot be honoured at minimum quality autonomous"))
        #expect(result.out.contains("\(bad.path):6:5: polygon 'yard' intersects itself"))
        #expect(result.out.contains("\(bad.path):4:5: checkpoint 'b' is"))
        #expect(result.out.contains("\(bad.path):11:5: control point 'gate'") && result.out.contains("offset like GCJ-02"))
        let json = try runEdgeNode(["patrol", "check", bad.path, "--json"])
        let summary = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(json.status == 2 && summary?["ok"] as? Bool == false)
        #expect((summary?["findings"] as? [String])?.contains { $0.hasPrefix("\(bad.path):6:5: polygon 'yard' intersects itself") } == true)
        try "route: x\ncheckpoints:\n  - {name: a, lat: 22.27, lon: 113.57, radius: 3, radious: 4}\n".write(to: bad, atomically: true, encoding: .utf8)
        let unknown = try runEdgeNode(["patrol", "check", bad.path])
        #expect(unknown.status == 2)
        #expect(unknown.err.hasPrefix("edge-node: \(bad.path):3:51: unknown key 'radious' in a checkpoint"), "\(unknown.err)")
    }
}

func pythonOutput(_ script: String) throws -> String { try python(script) }
