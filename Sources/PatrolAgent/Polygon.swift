/// A simple polygon in a local frame (vertices in order, not repeated at the end).
///
/// Boundary rule: the polygon is closed. A point within ``boundaryTolerance`` of an edge or a
/// vertex is on the boundary and counts as inside; otherwise the even-odd (ray crossing) rule
/// decides. ``signedDistance(to:)`` is negative inside, positive outside, zero on the boundary.
public struct Polygon: Sendable, Equatable {
    public let vertices: [ENU]
    /// Distance within which a point is on the boundary, metres.
    public static let boundaryTolerance = 0.001

    public init(_ vertices: [ENU]) {
        precondition(vertices.count >= 3, "a polygon has at least three vertices")
        self.vertices = vertices
    }

    /// True inside or on the boundary.
    public func contains(_ point: ENU) -> Bool { signedDistance(to: point) <= 0 }

    /// Distance to the boundary, metres: negative inside, positive outside.
    public func signedDistance(to point: ENU) -> Double {
        var nearest = Double.infinity
        var inside = false
        var j = vertices.count - 1
        for i in vertices.indices {
            let a = vertices[j], b = vertices[i]
            nearest = min(nearest, segmentDistance(point, a, b))
            // Even-odd rule with half-open edges, so a ray through a vertex counts it once.
            if (b.north > point.north) != (a.north > point.north) {
                let crossing = b.east + (point.north - b.north) / (a.north - b.north) * (a.east - b.east)
                if point.east < crossing { inside.toggle() }
            }
            j = i
        }
        if nearest <= Self.boundaryTolerance { return 0 }
        return inside ? -nearest : nearest
    }

    /// Whether two edges that do not share a vertex cross (a self-intersecting outline).
    public var isSelfIntersecting: Bool {
        let n = vertices.count
        for i in 0..<n {
            for j in (i + 1)..<n where j != i + 1 && !(i == 0 && j == n - 1) {
                if segmentsCross(vertices[i], vertices[(i + 1) % n], vertices[j], vertices[(j + 1) % n]) { return true }
            }
        }
        return false
    }
}

/// Distance from `p` to the segment a-b, metres (horizontal).
func segmentDistance(_ p: ENU, _ a: ENU, _ b: ENU) -> Double {
    let de = b.east - a.east, dn = b.north - a.north
    let length2 = de * de + dn * dn
    var t = length2 > 0 ? ((p.east - a.east) * de + (p.north - a.north) * dn) / length2 : 0
    t = max(0, min(1, t))
    let e = a.east + t * de - p.east, n = a.north + t * dn - p.north
    return (e * e + n * n).squareRoot()
}

private func segmentsCross(_ a: ENU, _ b: ENU, _ c: ENU, _ d: ENU) -> Bool {
    func orientation(_ p: ENU, _ q: ENU, _ r: ENU) -> Double {
        (q.east - p.east) * (r.north - p.north) - (q.north - p.north) * (r.east - p.east)
    }
    let d1 = orientation(c, d, a), d2 = orientation(c, d, b), d3 = orientation(a, b, c), d4 = orientation(a, b, d)
    return (d1 > 0) != (d2 > 0) && (d3 > 0) != (d4 > 0) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0
}
