import JSONText

/// A route in JSON, every setting explicit and every number exact: the compiled form that
/// `edge-node patrol check --json` exports (as its `definition`) from a validated route file, and
/// that the firmware build, which reads no YAML, replays.
///
/// ```json
/// {"name":"plant-north","frame":"CGCS2000","epoch":2026.9,
///  "ellipsoid":{"name":"cgcs2000","semi_major_axis":6378137.0,"flattening":0.003352810681182319},
///  "checkpoints":[{"name":"gate","lat":22.27102,"lon":113.57671,"radius":3.0,"arrival":"radius",
///    "confirmations":2,"dwell":0.0,"minimum_quality":"rtk_fixed","policy":"required",
///    "tasks":[{"point":"pump3.pressure","expected":[3.0,5.0],"retries":1}]}],
///  "fences":[{"name":"yard","kind":"inclusion","level":"hard","action":"stop","polygon":[[22.27,113.57]]},
///            {"name":"substation","kind":"exclusion","level":"soft","action":"warn",
///             "circle":{"lat":22.27,"lon":113.57,"radius":30.0}}]}
/// ```
/// Policies are `required`, `optional`, `revisit_at_end` or `retry` with `"attempts": N`;
/// arrival is `radius` (with `confirmations`) or `pass_by`.
extension Route {
    /// Writes the route as one JSON object.
    public func writeJSON(into w: inout JSONWriter) {
        w.raw("{\"name\":"); w.string(name)
        w.key("frame"); w.string(frame)
        w.key("epoch"); if let epoch { w.exact(epoch) } else { w.raw("null") }
        w.key("ellipsoid"); w.raw("{\"name\":"); w.string(ellipsoid.name)
        w.key("semi_major_axis"); w.exact(ellipsoid.semiMajorAxis)
        w.key("flattening"); w.exact(ellipsoid.flattening); w.raw("}")
        w.key("checkpoints"); w.raw("[")
        for (index, checkpoint) in checkpoints.enumerated() {
            if index > 0 { w.raw(",") }
            checkpoint.writeJSON(into: &w)
        }
        w.raw("]")
        w.key("fences"); w.raw("[")
        for (index, fence) in fences.enumerated() {
            if index > 0 { w.raw(",") }
            w.raw("{\"name\":"); w.string(fence.name)
            w.key("kind"); w.string(fence.kind.rawValue)
            w.key("level"); w.string(fence.level.rawValue)
            w.key("action"); w.string(fence.action)
            switch fence.shape {
            case .polygon(let vertices):
                w.key("polygon"); w.raw("[")
                for (index, vertex) in vertices.enumerated() {
                    if index > 0 { w.raw(",") }
                    w.raw("["); w.exact(vertex.latitude); w.raw(","); w.exact(vertex.longitude); w.raw("]")
                }
                w.raw("]")
            case .circle(let centre, let radius):
                w.key("circle"); w.raw("{\"lat\":"); w.exact(centre.latitude)
                w.key("lon"); w.exact(centre.longitude)
                w.key("radius"); w.exact(radius); w.raw("}")
            }
            w.raw("}")
        }
        w.raw("]}")
    }

    /// Reads a route that ``writeJSON(into:)`` wrote.
    /// - Throws: ``RouteJSONError`` naming the member that is missing or of the wrong kind.
    public init(json: JSONValue) throws(RouteJSONError) {
        let route = try Member(json, "route")
        let ellipsoid = try route.object("ellipsoid")
        self.init(name: try route.string("name"),
                  ellipsoid: Ellipsoid(name: try ellipsoid.string("name"), semiMajorAxis: try ellipsoid.number("semi_major_axis"),
                                       flattening: try ellipsoid.number("flattening")),
                  frame: try route.string("frame"), epoch: try route.optionalNumber("epoch"),
                  checkpoints: try route.array("checkpoints").map { item throws(RouteJSONError) in try Checkpoint(json: item) },
                  fences: try route.array("fences").map { item throws(RouteJSONError) in try Geofence(json: item) })
    }
}

extension Checkpoint {
    fileprivate func writeJSON(into w: inout JSONWriter) {
        w.raw("{\"name\":"); w.string(name)
        w.key("lat"); w.exact(latitude)
        w.key("lon"); w.exact(longitude)
        w.key("radius"); w.exact(radius)
        switch arrival {
        case .radius(let confirmations): w.key("arrival"); w.string("radius"); w.key("confirmations"); w.integer(confirmations)
        case .passBy: w.key("arrival"); w.string("pass_by")
        }
        w.key("dwell"); w.exact(dwell)
        w.key("minimum_quality"); w.string(minimumQuality.description)
        switch policy {
        case .required: w.key("policy"); w.string("required")
        case .optional: w.key("policy"); w.string("optional")
        case .revisitAtEnd: w.key("policy"); w.string("revisit_at_end")
        case .retry(let attempts): w.key("policy"); w.string("retry"); w.key("attempts"); w.integer(attempts)
        }
        w.key("tasks"); w.raw("[")
        for (index, task) in tasks.enumerated() {
            if index > 0 { w.raw(",") }
            w.raw("{\"point\":"); w.string(task.point)
            w.key("expected")
            if let expected = task.expected {
                w.raw("["); w.exact(expected.lowerBound); w.raw(","); w.exact(expected.upperBound); w.raw("]")
            } else {
                w.raw("null")
            }
            w.key("retries"); w.integer(task.retries)
            w.raw("}")
        }
        w.raw("]}")
    }

    fileprivate init(json: JSONValue) throws(RouteJSONError) {
        let member = try Member(json, "checkpoint")
        let name = try member.string("name")
        let at = try Member(json, "checkpoint \(name)")
        let arrival: ArrivalRule = switch try at.string("arrival") {
        case "radius": .radius(confirmations: try at.integer("confirmations"))
        case "pass_by": .passBy
        case let other: throw RouteJSONError("checkpoint \(name): arrival is radius or pass_by, found '\(other)'")
        }
        let policy: Policy = switch try at.string("policy") {
        case "required": .required
        case "optional": .optional
        case "revisit_at_end": .revisitAtEnd
        case "retry": .retry(attempts: try at.integer("attempts"))
        case let other: throw RouteJSONError("checkpoint \(name): policy is required, optional, retry or revisit_at_end, found '\(other)'")
        }
        let qualityName = try at.string("minimum_quality")
        guard let quality = PositionQuality.allCases.first(where: { $0.description == qualityName }) else {
            throw RouteJSONError("checkpoint \(name): minimum_quality '\(qualityName)' is not a position quality")
        }
        let tasks = try at.array("tasks").map { item throws(RouteJSONError) in
            let task = try Member(item, "a task of checkpoint \(name)")
            var expected: ClosedRange<Double>?
            if let range = try task.optionalArray("expected") {
                guard range.count == 2, let low = range[0].double, let high = range[1].double, low <= high else {
                    throw RouteJSONError("checkpoint \(name): a task's expected is [LOW, HIGH]")
                }
                expected = low...high
            }
            return InspectionTask(point: try task.string("point"), expected: expected, retries: try task.integer("retries"))
        }
        self.init(name: name, latitude: try at.number("lat"), longitude: try at.number("lon"), radius: try at.number("radius"),
                  arrival: arrival, dwell: try at.number("dwell"), minimumQuality: quality, tasks: tasks, policy: policy)
    }
}

extension Geofence {
    fileprivate init(json: JSONValue) throws(RouteJSONError) {
        let fence = try Member(json, "fence")
        let name = try fence.string("name")
        let at = try Member(json, "fence \(name)")
        guard let kind = Kind(rawValue: try at.string("kind")), let level = Level(rawValue: try at.string("level")) else {
            throw RouteJSONError("fence \(name): kind is inclusion or exclusion, level soft or hard")
        }
        let shape: Shape
        if let vertices = try at.optionalArray("polygon") {
            shape = .polygon(try vertices.map { vertex throws(RouteJSONError) in
                guard let pair = vertex.array, pair.count == 2, let latitude = pair[0].double, let longitude = pair[1].double else {
                    throw RouteJSONError("fence \(name): a polygon vertex is [LAT, LON]")
                }
                return Coordinate(latitude: latitude, longitude: longitude)
            })
        } else {
            let circle = try at.object("circle")
            shape = .circle(centre: Coordinate(latitude: try circle.number("lat"), longitude: try circle.number("lon")),
                            radius: try circle.number("radius"))
        }
        self.init(name: name, shape: shape, kind: kind, level: level, action: try at.string("action"))
    }
}

/// A compiled route that does not read, and why.
public struct RouteJSONError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The members of one JSON object, read with errors that say whose member it was.
private struct Member {
    let members: [String: JSONValue]
    let owner: String

    init(_ value: JSONValue, _ owner: String) throws(RouteJSONError) {
        guard let members = value.object else { throw RouteJSONError("\(owner): expected an object") }
        self.members = members
        self.owner = owner
    }

    private func value(_ key: String) throws(RouteJSONError) -> JSONValue {
        guard let value = members[key] else { throw RouteJSONError("\(owner): '\(key)' is missing") }
        return value
    }

    func string(_ key: String) throws(RouteJSONError) -> String {
        guard let text = try value(key).string else { throw RouteJSONError("\(owner): '\(key)' is not a string") }
        return text
    }

    func number(_ key: String) throws(RouteJSONError) -> Double {
        guard let number = try value(key).double else { throw RouteJSONError("\(owner): '\(key)' is not a number") }
        return number
    }

    func optionalNumber(_ key: String) throws(RouteJSONError) -> Double? {
        if members[key] == nil || members[key] == .null { return nil }
        return try number(key)
    }

    func integer(_ key: String) throws(RouteJSONError) -> Int {
        guard let number = try value(key).int else { throw RouteJSONError("\(owner): '\(key)' is not a whole number") }
        return number
    }

    func array(_ key: String) throws(RouteJSONError) -> [JSONValue] {
        guard let items = try value(key).array else { throw RouteJSONError("\(owner): '\(key)' is not an array") }
        return items
    }

    func optionalArray(_ key: String) throws(RouteJSONError) -> [JSONValue]? {
        if members[key] == nil || members[key] == .null { return nil }
        return try array(key)
    }

    func object(_ key: String) throws(RouteJSONError) -> Member {
        try Member(value(key), "\(owner).\(key)")
    }
}
