import RealModule

/// A problem found in a route before it runs.
public struct RouteFinding: Sendable, Equatable {
    /// What the finding is about (the loader turns it into a file position).
    public enum Subject: Sendable, Equatable {
        case route
        case checkpoint(Int)
        case fence(Int)
        case controlPoint(Int)
    }

    public var subject: Subject
    public var message: String

    public init(_ subject: Subject, _ message: String) {
        self.subject = subject
        self.message = message
    }
}

/// A surveyed point and the same point as read off the map the route was drawn on: if the map
/// was a Chinese consumer map, its coordinates carry the GCJ-02 (or BD-09) offset of hundreds of
/// metres, and so do the route's.
public struct ControlPoint: Sendable, Equatable {
    public var name: String
    public var surveyed: Coordinate
    public var mapped: Coordinate

    public init(name: String, surveyed: Coordinate, mapped: Coordinate) {
        self.name = name
        self.surveyed = surveyed
        self.mapped = mapped
    }
}

extension Route {
    /// Every problem that would make the patrol wrong: radii the required fix quality cannot
    /// honour, self-intersecting fences, checkpoints outside the inclusion fences or inside an
    /// exclusion fence, repeated names, and map coordinates offset like GCJ-02 or BD-09.
    public func validate(controlPoints: [ControlPoint] = []) -> [RouteFinding] {
        var findings: [RouteFinding] = []
        guard let first = checkpoints.first else { return [RouteFinding(.route, "the route has no checkpoints")] }
        let frame = LocalFrame(latitude: first.latitude, longitude: first.longitude, ellipsoid: ellipsoid)
        var names: Set<String> = []
        for (index, checkpoint) in checkpoints.enumerated() {
            if !names.insert(checkpoint.name).inserted {
                findings.append(RouteFinding(.checkpoint(index), "checkpoint name '\(checkpoint.name)' is used twice"))
            }
            let sigma = checkpoint.minimumQuality.sigmaAtUnitHDOP
            if checkpoint.radius < 2 * sigma {
                findings.append(RouteFinding(.checkpoint(index),
                    "radius \(checkpoint.radius) m cannot be honoured at minimum quality \(checkpoint.minimumQuality) "
                    + "(1-sigma \(sigma) m at HDOP 1): use a radius of at least \(2 * sigma) m or a better minimum quality"))
            }
        }
        var shapes: [(Geofence, (ENU) -> Double)] = []
        for (index, fence) in fences.enumerated() {
            switch fence.shape {
            case .polygon(let vertices):
                guard vertices.count >= 3 else {
                    findings.append(RouteFinding(.fence(index), "polygon '\(fence.name)' needs at least three vertices"))
                    continue
                }
                let polygon = Polygon(vertices.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) })
                if polygon.isSelfIntersecting {
                    findings.append(RouteFinding(.fence(index), "polygon '\(fence.name)' intersects itself"))
                }
                shapes.append((fence, polygon.signedDistance(to:)))
            case .circle(let centre, let radius):
                guard radius > 0 else {
                    findings.append(RouteFinding(.fence(index), "circle '\(fence.name)' needs a positive radius"))
                    continue
                }
                let c = frame.enu(latitude: centre.latitude, longitude: centre.longitude)
                shapes.append((fence, { $0.horizontalDistance(to: c) - radius }))
            }
        }
        for (index, checkpoint) in checkpoints.enumerated() {
            let point = frame.enu(latitude: checkpoint.latitude, longitude: checkpoint.longitude)
            for (fence, outside) in shapes {
                let distance = outside(point)
                if fence.kind == .inclusion && distance > 0 {
                    findings.append(RouteFinding(.checkpoint(index),
                        "checkpoint '\(checkpoint.name)' is \(rounded(distance)) m outside the inclusion fence '\(fence.name)'"))
                } else if fence.kind == .exclusion && distance <= 0 {
                    findings.append(RouteFinding(.checkpoint(index),
                        "checkpoint '\(checkpoint.name)' is inside the exclusion fence '\(fence.name)'"))
                }
            }
        }
        let geodesic = Geodesic(ellipsoid)
        func distance(_ a: Coordinate, _ b: Coordinate) -> Double {
            geodesic.inverse(latitude1: a.latitude, longitude1: a.longitude, latitude2: b.latitude, longitude2: b.longitude).distance
        }
        for (index, point) in controlPoints.enumerated() {
            let offset = distance(point.surveyed, point.mapped)
            guard offset > 20 else { continue }
            let gcj = ChineseMapOffset.gcj02(fromWGS84: point.surveyed)
            let bd = ChineseMapOffset.bd09(fromGCJ02: gcj)
            if distance(gcj, point.mapped) < max(5, 0.05 * offset) {
                findings.append(RouteFinding(.controlPoint(index),
                    "control point '\(point.name)': the map coordinates are \(rounded(offset)) m from the survey, offset like GCJ-02 "
                    + "(a Chinese consumer map): the route's coordinates need the same correction"))
            } else if distance(bd, point.mapped) < max(5, 0.05 * offset) {
                findings.append(RouteFinding(.controlPoint(index),
                    "control point '\(point.name)': the map coordinates are \(rounded(offset)) m from the survey, offset like BD-09 "
                    + "(Baidu maps): the route's coordinates need the same correction"))
            } else {
                findings.append(RouteFinding(.controlPoint(index),
                    "control point '\(point.name)': the map coordinates are \(rounded(offset)) m from the survey"))
            }
        }
        return findings
    }
}

private func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }

/// The obfuscating offsets of Chinese consumer maps: GCJ-02 (most maps) and BD-09 (Baidu), as
/// published openly (the "eviltransform" formulas). Used to recognise offset coordinates, not
/// to navigate on them.
public enum ChineseMapOffset {
    private static let krasovskyA = 6_378_245.0
    private static let krasovskyE2 = 0.00669342162296594323

    /// WGS84 -> GCJ-02 (inside China; elsewhere the map offset is not applied).
    public static func gcj02(fromWGS84 p: Coordinate) -> Coordinate {
        guard (72.004...137.8347).contains(p.longitude), (0.8293...55.8271).contains(p.latitude) else { return p }
        let x = p.longitude - 105, y = p.latitude - 35
        var dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.magnitude.squareRoot()
        dLat += (20 * sin(6 * x * .pi) + 20 * sin(2 * x * .pi)) * 2 / 3
        dLat += (20 * sin(y * .pi) + 40 * sin(y / 3 * .pi)) * 2 / 3
        dLat += (160 * sin(y / 12 * .pi) + 320 * sin(y * .pi / 30)) * 2 / 3
        var dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.magnitude.squareRoot()
        dLon += (20 * sin(6 * x * .pi) + 20 * sin(2 * x * .pi)) * 2 / 3
        dLon += (20 * sin(x * .pi) + 40 * sin(x / 3 * .pi)) * 2 / 3
        dLon += (150 * sin(x / 12 * .pi) + 300 * sin(x / 30 * .pi)) * 2 / 3
        let radLat = p.latitude / 180 * .pi
        let magic = 1 - krasovskyE2 * sin(radLat) * sin(radLat)
        let sqrtMagic = magic.squareRoot()
        dLat = dLat * 180 / ((krasovskyA * (1 - krasovskyE2)) / (magic * sqrtMagic) * .pi)
        dLon = dLon * 180 / (krasovskyA / sqrtMagic * Double.cos(radLat) * .pi)
        return Coordinate(latitude: p.latitude + dLat, longitude: p.longitude + dLon)
    }

    /// GCJ-02 -> BD-09.
    public static func bd09(fromGCJ02 p: Coordinate) -> Coordinate {
        let xPi = Double.pi * 3000 / 180
        let x = p.longitude, y = p.latitude
        let z = (x * x + y * y).squareRoot() + 0.00002 * sin(y * xPi)
        let theta = Double.atan2(y: y, x: x) + 0.000003 * Double.cos(x * xPi)
        return Coordinate(latitude: z * sin(theta) + 0.006, longitude: z * Double.cos(theta) + 0.0065)
    }

    private static func sin(_ x: Double) -> Double { Double.sin(x) }
}
