/// How a patrol position was solved, best last.
public enum PositionQuality: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case none = 0
    case deadReckoning = 1
    case autonomous = 2
    case differential = 3
    case rtkFloat = 4
    case rtkFixed = 5

    public static func < (lhs: PositionQuality, rhs: PositionQuality) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        ["none", "dead_reckoning", "autonomous", "differential", "rtk_float", "rtk_fixed"][rawValue]
    }

    /// Typical 1-sigma horizontal error at HDOP 1, metres: what an arrival radius must allow for.
    public var sigmaAtUnitHDOP: Double {
        switch self {
        case .none: .infinity
        case .deadReckoning: 10
        case .autonomous: 2.5
        case .differential: 0.8
        case .rtkFloat: 0.3
        case .rtkFixed: 0.02
        }
    }
}

/// One position for the agent (its own type; the runtime maps receiver fixes to it).
public struct PatrolFix: Sendable, Equatable {
    /// Seconds on a monotonic timeline (UTC seconds of the fix in replays).
    public var time: Double
    public var latitude: Double
    public var longitude: Double
    public var quality: PositionQuality
    public var hdop: Double?
    public var satellites: Int?
    /// Age of the differential or RTK corrections, seconds.
    public var correctionAge: Double?

    public init(time: Double, latitude: Double, longitude: Double, quality: PositionQuality,
                hdop: Double? = nil, satellites: Int? = nil, correctionAge: Double? = nil) {
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.quality = quality
        self.hdop = hdop
        self.satellites = satellites
        self.correctionAge = correctionAge
    }

    /// 1-sigma horizontal accuracy, metres: the quality's sigma times the HDOP (at least 1).
    public var accuracy: Double { quality.sigmaAtUnitHDOP * max(1, hdop ?? 1) }
}

/// A patrol route: checkpoints in order, geofences, and the datum its coordinates are in.
public struct Route: Sendable, Equatable {
    public var name: String
    /// The ellipsoid and the frame and epoch the coordinates are in (CGCS2000 or WGS84).
    public var ellipsoid: Ellipsoid
    public var frame: String
    public var epoch: Double?
    public var checkpoints: [Checkpoint]
    public var fences: [Geofence]

    public init(name: String, ellipsoid: Ellipsoid = .cgcs2000, frame: String = "CGCS2000", epoch: Double? = nil,
                checkpoints: [Checkpoint], fences: [Geofence] = []) {
        self.name = name
        self.ellipsoid = ellipsoid
        self.frame = frame
        self.epoch = epoch
        self.checkpoints = checkpoints
        self.fences = fences
    }
}

/// A place to reach, and what to do there.
public struct Checkpoint: Sendable, Equatable {
    /// How arrival is decided.
    public enum ArrivalRule: Sendable, Equatable {
        /// Inside the radius for `confirmations` consecutive trusted fixes.
        case radius(confirmations: Int)
        /// Crossing the plane that bisects the inbound and outbound legs, within the radius:
        /// for vehicles that do not stop (fixes may straddle the radius at speed).
        case passBy
    }

    /// What happens when the checkpoint is not reached.
    public enum Policy: Sendable, Equatable {
        /// Missing it is reported as missed.
        case required
        /// Missing it is reported as skipped.
        case optional
        /// Tried again straight away (the vehicle turns back), up to `attempts` more times, then missed.
        case retry(attempts: Int)
        /// Tried once more after the last checkpoint, then missed.
        case revisitAtEnd
    }

    public var name: String
    public var latitude: Double
    public var longitude: Double
    /// Acceptance radius, metres.
    public var radius: Double
    public var arrival: ArrivalRule
    /// Seconds to stay inside the radius before the tasks run.
    public var dwell: Double
    /// The least position quality that may decide arrival here.
    public var minimumQuality: PositionQuality
    public var tasks: [InspectionTask]
    public var policy: Policy

    public init(name: String, latitude: Double, longitude: Double, radius: Double, arrival: ArrivalRule = .radius(confirmations: 2),
                dwell: Double = 0, minimumQuality: PositionQuality = .autonomous, tasks: [InspectionTask] = [],
                policy: Policy = .required) {
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.radius = radius
        self.arrival = arrival
        self.dwell = dwell
        self.minimumQuality = minimumQuality
        self.tasks = tasks
        self.policy = policy
    }
}

/// A reading to take at a checkpoint (a Modbus or GPIO point), and the range it should be in.
public struct InspectionTask: Sendable, Equatable {
    public var point: String
    public var expected: ClosedRange<Double>?
    /// Attempts after the first when a read fails.
    public var retries: Int

    public init(point: String, expected: ClosedRange<Double>? = nil, retries: Int = 1) {
        self.point = point
        self.expected = expected
        self.retries = retries
    }
}

/// An area the patrol must stay in (inclusion) or out of (exclusion).
public struct Geofence: Sendable, Equatable {
    public enum Shape: Sendable, Equatable {
        /// Vertices as (latitude, longitude), in order.
        case polygon([Coordinate])
        case circle(centre: Coordinate, radius: Double)
    }

    public enum Kind: String, Sendable { case inclusion, exclusion }

    /// Soft breaches warn; hard breaches stop the patrol.
    public enum Level: String, Sendable { case soft, hard }

    public var name: String
    public var shape: Shape
    public var kind: Kind
    public var level: Level
    /// What the runtime should do on a breach (e.g. "stop", "notify").
    public var action: String

    public init(name: String, shape: Shape, kind: Kind, level: Level, action: String) {
        self.name = name
        self.shape = shape
        self.kind = kind
        self.level = level
        self.action = action
    }
}

/// Latitude and longitude, degrees.
public struct Coordinate: Sendable, Equatable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

#if !hasFeature(Embedded)
extension PositionQuality: Codable {}
extension PatrolFix: Codable {}
#endif
