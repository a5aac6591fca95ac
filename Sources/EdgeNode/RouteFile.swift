import FoundationEssentials
import JSONText
import PatrolAgent

/// A patrol route file in `devices/` (YAML), loaded and validated; every finding carries the
/// file, line and column of what it is about.
///
/// ```yaml
/// route: plant-north
/// datum: {frame: CGCS2000, epoch: 2026.9}      # or WGS84; the ellipsoid follows the frame
/// defaults: {radius: 3, arrival: pass-by, confirmations: 2, dwell: 0, minimum_quality: rtk_fixed}
/// checkpoints:
///   - {name: pump-3, lat: 22.27102, lon: 113.57671, arrival: radius, dwell: 10,
///      policy: required, tasks: [{point: pump3.pressure, expected: [3.0, 5.0], retries: 1}]}
///                                              # policies: required, optional, retry N, revisit
/// checkpoints_from: waypoints.gpx               # optional: GPX waypoints or GeoJSON points
/// fences:
///   - {name: yard, kind: inclusion, level: hard, action: stop, polygon: [[22.27, 113.57], ...]}
///   - {name: substation, kind: exclusion, level: soft, action: warn, circle: {lat: .., lon: .., radius: 30}}
/// control_points:                                # surveyed vs as-drawn, to catch map offsets
///   - {name: gate, lat: .., lon: .., map_lat: .., map_lon: ..}
/// schedule: {times: ["08:00", "14:00"], interval_minutes: 240, on_demand: true}
/// ```
public struct RouteFile: Sendable, Equatable {
    public var route: Route
    public var controlPoints: [ControlPoint]
    public var schedule: Schedule
    /// Problems found, each as `file:line:column: message`.
    public var findings: [String]

    /// When patrols start.
    public struct Schedule: Sendable, Equatable {
        public var times: [String] = []
        public var intervalMinutes: Double?
        public var onDemand = true
    }

    private static let qualities: [String: PositionQuality] = [
        "autonomous": .autonomous, "differential": .differential, "rtk_float": .rtkFloat, "rtk_fixed": .rtkFixed,
        "dead_reckoning": .deadReckoning,
    ]

    /// Loads and validates `path`.
    /// - Throws: ``EdgeNodeError`` for what stops the file from being read at all (syntax, types,
    ///   unknown keys); semantic problems are collected in ``findings``.
    public static func load(_ path: String) throws(EdgeNodeError) -> RouteFile {
        try parse(YAMLValue.load(path), path: path)
    }

    /// Loads a route from YAML text; `name` stands for the file in findings.
    public static func parse(_ text: String, name: String) throws(EdgeNodeError) -> RouteFile {
        try parse(YAMLValue.parse(text, file: name), path: name)
    }

    private static func parse(_ root: YAMLValue, path: String) throws(EdgeNodeError) -> RouteFile {
        let top = try root.mapping("a route file", keys: ["route", "datum", "defaults", "checkpoints", "checkpoints_from", "fences",
                                                          "control_points", "schedule"], required: ["route"])
        let name = try top["route"]!.string("the route's name")
        var ellipsoid = Ellipsoid.cgcs2000, frameName = "CGCS2000", epoch: Double?
        if let datum = top["datum"] {
            let fields = try datum.mapping("the datum", keys: ["frame", "epoch"], required: ["frame"])
            (frameName, ellipsoid) = try fields["frame"]!.choice("the datum's frame", ["CGCS2000": ("CGCS2000", .cgcs2000), "WGS84": ("WGS84", .wgs84)])
            epoch = try fields["epoch"]?.double("the datum's epoch (a decimal year)")
        }
        let defaultFields = try top["defaults"]?.mapping("the defaults", keys: checkpointSettings) ?? [:]
        var checkpoints: [Checkpoint] = []
        var checkpointNodes: [YAMLValue] = []
        for node in try top["checkpoints"]?.sequence("the checkpoints") ?? [] {
            let fields = try node.mapping("a checkpoint", keys: checkpointSettings.union(["name", "lat", "lon", "tasks", "policy"]),
                                          required: ["name", "lat", "lon"])
            checkpoints.append(try checkpoint(fields, defaults: defaultFields, at: node))
            checkpointNodes.append(node)
        }
        if let source = top["checkpoints_from"] {
            let relative = try source.string("a GPX or GeoJSON file")
            let file = relative.hasPrefix("/") ? relative : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(relative).path
            for (waypointName, coordinate) in try importWaypoints(file, at: source) {
                var fields = defaultFields
                fields["name"] = nil
                var point = try checkpoint(fields, defaults: [:], at: source, name: waypointName, coordinate: coordinate)
                point.name = waypointName
                checkpoints.append(point)
                checkpointNodes.append(source)
            }
        }
        guard !checkpoints.isEmpty else { throw root.error("the route has no checkpoints (give 'checkpoints' or 'checkpoints_from')") }
        var fences: [Geofence] = []
        var fenceNodes: [YAMLValue] = []
        for node in try top["fences"]?.sequence("the fences") ?? [] {
            fences.append(try fence(node))
            fenceNodes.append(node)
        }
        var controlPoints: [ControlPoint] = []
        var controlNodes: [YAMLValue] = []
        for node in try top["control_points"]?.sequence("the control points") ?? [] {
            let f = try node.mapping("a control point", keys: ["name", "lat", "lon", "map_lat", "map_lon"],
                                     required: ["name", "lat", "lon", "map_lat", "map_lon"])
            controlPoints.append(ControlPoint(name: try f["name"]!.string("a name"),
                                              surveyed: try coordinate(f["lat"]!, f["lon"]!),
                                              mapped: try coordinate(f["map_lat"]!, f["map_lon"]!)))
            controlNodes.append(node)
        }
        var schedule = Schedule()
        if let node = top["schedule"] {
            let f = try node.mapping("the schedule", keys: ["times", "interval_minutes", "on_demand"])
            schedule.times = try (f["times"]?.sequence("times of day") ?? []).map { (value: YAMLValue) throws(EdgeNodeError) -> String in
                let text = try value.string("a time of day (HH:MM)")
                let parts = text.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                    throw value.error("expected a time of day HH:MM, found '\(text)'")
                }
                return text
            }
            schedule.intervalMinutes = try f["interval_minutes"]?.double("an interval in minutes")
            schedule.onDemand = try f["on_demand"]?.bool("on_demand") ?? true
        }
        let route = Route(name: name, ellipsoid: ellipsoid, frame: frameName, epoch: epoch, checkpoints: checkpoints, fences: fences)
        let findings = route.validate(controlPoints: controlPoints).map { finding -> String in
            let node: YAMLValue
            switch finding.subject {
            case .route: node = root
            case .checkpoint(let index): node = checkpointNodes[index]
            case .fence(let index): node = fenceNodes[index]
            case .controlPoint(let index): node = controlNodes[index]
            }
            return "\(node.location): \(finding.message)"
        }
        return RouteFile(route: route, controlPoints: controlPoints, schedule: schedule, findings: findings)
    }

    private static let checkpointSettings: Set<String> = ["radius", "arrival", "confirmations", "dwell", "minimum_quality"]

    private static func coordinate(_ lat: YAMLValue, _ lon: YAMLValue) throws(EdgeNodeError) -> Coordinate {
        let latitude = try lat.double("a latitude in degrees")
        let longitude = try lon.double("a longitude in degrees")
        guard (-90...90).contains(latitude) else { throw lat.error("latitude \(latitude) is outside -90...90") }
        guard (-180...180).contains(longitude) else { throw lon.error("longitude \(longitude) is outside -180...180") }
        return Coordinate(latitude: latitude, longitude: longitude)
    }

    private static func checkpoint(_ fields: [String: YAMLValue], defaults: [String: YAMLValue], at node: YAMLValue,
                                   name: String? = nil, coordinate given: Coordinate? = nil) throws(EdgeNodeError) -> Checkpoint {
        func setting(_ key: String) -> YAMLValue? { fields[key] ?? defaults[key] }
        let name = if let name { name } else { try fields["name"]!.string("the checkpoint's name") }
        let position = if let given { given } else { try coordinate(fields["lat"]!, fields["lon"]!) }
        guard let radiusNode = setting("radius") else { throw node.error("checkpoint '\(name)' needs a radius (or defaults.radius)") }
        let radius = try radiusNode.double("a radius in metres")
        guard radius > 0 else { throw radiusNode.error("the radius must be positive") }
        let confirmations = try setting("confirmations")?.integer("a number of fixes") ?? 2
        let arrival = try setting("arrival")?.choice("an arrival rule", ["radius": Checkpoint.ArrivalRule.radius(confirmations: confirmations),
                                                                          "pass-by": .passBy]) ?? .radius(confirmations: confirmations)
        let quality = try setting("minimum_quality")?.choice("a fix quality", qualities) ?? .autonomous
        var policy = Checkpoint.Policy.required
        if let node = fields["policy"] {
            let text = try node.string("a policy")
            switch text.split(separator: " ").map(String.init) {
            case ["required"]: policy = .required
            case ["optional"]: policy = .optional
            case ["revisit"]: policy = .revisitAtEnd
            case let words where words.count == 2 && words[0] == "retry" && Int(words[1]).map({ $0 > 0 }) == true:
                policy = .retry(attempts: Int(words[1])!)
            default: throw node.error("expected a policy: required, optional, 'retry N' or revisit, found '\(text)'")
            }
        }
        var tasks: [InspectionTask] = []
        for task in try fields["tasks"]?.sequence("the tasks") ?? [] {
            let f = try task.mapping("a task", keys: ["point", "expected", "retries"], required: ["point"])
            var expected: ClosedRange<Double>?
            if let range = f["expected"] {
                let bounds = try range.sequence("the expected range [LOW, HIGH]")
                guard bounds.count == 2 else { throw range.error("expected [LOW, HIGH]") }
                let low = try bounds[0].double("a lower bound"), high = try bounds[1].double("an upper bound")
                guard low <= high else { throw range.error("the expected range's lower bound is above its upper bound") }
                expected = low...high
            }
            tasks.append(InspectionTask(point: try f["point"]!.string("a point name"), expected: expected,
                                        retries: try f["retries"]?.integer("a number of retries") ?? 1))
        }
        return Checkpoint(name: name, latitude: position.latitude, longitude: position.longitude, radius: radius, arrival: arrival,
                          dwell: try setting("dwell")?.double("a dwell time in seconds") ?? 0, minimumQuality: quality,
                          tasks: tasks, policy: policy)
    }

    private static func fence(_ node: YAMLValue) throws(EdgeNodeError) -> Geofence {
        let f = try node.mapping("a fence", keys: ["name", "kind", "level", "action", "polygon", "circle"], required: ["name", "kind", "level"])
        let shape: Geofence.Shape
        if let polygon = f["polygon"] {
            shape = .polygon(try polygon.sequence("the polygon's vertices").map { (vertex: YAMLValue) throws(EdgeNodeError) -> Coordinate in
                let pair = try vertex.sequence("a vertex [LAT, LON]")
                guard pair.count == 2 else { throw vertex.error("expected a vertex [LAT, LON]") }
                return try coordinate(pair[0], pair[1])
            })
        } else if let circle = f["circle"] {
            let c = try circle.mapping("a circle", keys: ["lat", "lon", "radius"], required: ["lat", "lon", "radius"])
            shape = .circle(centre: try coordinate(c["lat"]!, c["lon"]!), radius: try c["radius"]!.double("a radius in metres"))
        } else {
            throw node.error("a fence needs a 'polygon' or a 'circle'")
        }
        let level = try f["level"]!.choice("a level", ["soft": Geofence.Level.soft, "hard": .hard])
        return Geofence(name: try f["name"]!.string("a name"), shape: shape,
                        kind: try f["kind"]!.choice("a kind", ["inclusion": Geofence.Kind.inclusion, "exclusion": .exclusion]),
                        level: level, action: try f["action"]?.string("an action") ?? (level == .hard ? "stop" : "warn"))
    }

    /// Named points from a GPX file (`<wpt>`) or a GeoJSON file (Point features with a `name`).
    static func importWaypoints(_ path: String, at node: YAMLValue) throws(EdgeNodeError) -> [(String, Coordinate)] {
        guard let data = FileManager.default.contents(atPath: path) else { throw node.error("cannot read \(path)") }
        if path.lowercased().hasSuffix(".gpx") {
            do throws(GPXError) {
                return try gpxPoints(String(decoding: data, as: UTF8.self), element: "wpt").enumerated().map { index, point in
                    (point.name ?? "waypoint-\(index + 1)", point.coordinate)
                }
            } catch { throw node.error("\(path): \(error.reason)") }
        }
        guard let features = JSONValue.parse(data)?["features"]?.array else {
            throw node.error("\(path): expected a GPX file or a GeoJSON FeatureCollection")
        }
        var points: [(String, Coordinate)] = []
        for (index, feature) in features.enumerated() {
            guard let geometry = feature["geometry"], geometry["type"]?.string == "Point" else { continue }
            guard let position = geometry["coordinates"]?.array?.compactMap(\.double), position.count >= 2 else {
                throw node.error("\(path): feature \(index + 1) has no [lon, lat] coordinates")
            }
            let name = feature["properties"]?["name"]?.string ?? "point-\(index + 1)"
            points.append((name, Coordinate(latitude: position[1], longitude: position[0])))
        }
        return points
    }
}

/// Why a GPX text could not be read.
struct GPXError: Error {
    var reason: String
}

/// The points of a GPX text: every `<element lat=".." lon="..">` (`wpt`, `rtept` or `trkpt`) in
/// document order, with its `<name>` when it has one.
func gpxPoints(_ text: String, element: String) throws(GPXError) -> [(name: String?, coordinate: Coordinate)] {
    var points: [(name: String?, coordinate: Coordinate)] = []
    for (index, piece) in text.components(separatedBy: "<\(element)").dropFirst().enumerated() {
        guard piece.first == " " || piece.first == ">" || piece.first?.isNewline == true else { continue }
        func attribute(_ name: String) -> Double? {
            guard let range = piece.firstRange(of: "\(name)=\"") else { return nil }
            return Double(piece[range.upperBound...].prefix { $0 != "\"" })
        }
        guard let lat = attribute("lat"), let lon = attribute("lon") else { throw GPXError(reason: "<\(element)> \(index + 1) has no lat/lon") }
        var name: String?
        if let start = piece.firstRange(of: "<name>"), let end = piece[start.upperBound...].firstRange(of: "</name>") {
            name = String(piece[start.upperBound..<end.lowerBound])
        }
        points.append((name, Coordinate(latitude: lat, longitude: lon)))
    }
    return points
}
