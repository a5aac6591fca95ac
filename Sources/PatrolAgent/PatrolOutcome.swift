/// The verdict on one checkpoint.
public enum CheckpointVerdict: String, Sendable {
    case visited
    case missed
    /// Missed, but optional.
    case skipped
    /// The geometry cannot tell: the fixes were too poor (accuracy comparable to the radius) or
    /// untrusted while the checkpoint was passed. Never reported as visited or missed.
    case uncertain
}

/// One inspection reading with its quality.
public struct TaskReading: Sendable, Equatable {
    public enum Quality: Sendable, Equatable {
        case good
        case outOfRange
        case failed(reason: String)
    }

    public var point: String
    public var value: Double?
    public var quality: Quality
    public var attempts: Int
}

/// Reads inspection points (Modbus, GPIO) for the agent; injected, so that tests and replays
/// decide what the plant answers. A timeout is the reader's to report as a failure.
public protocol InspectionReader {
    mutating func read(_ point: String) -> Result<Double, InspectionFailure>
}

/// Why a reading failed.
public struct InspectionFailure: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A reader for routes without tasks, or replays that record no readings.
public struct NoReadings: InspectionReader {
    public init() {}
    public mutating func read(_ point: String) -> Result<Double, InspectionFailure> { .failure(InspectionFailure("no reader")) }
}

/// What the agent decided about one checkpoint, with the evidence.
public struct CheckpointOutcome: Sendable, Equatable {
    public var checkpoint: String
    public var verdict: CheckpointVerdict
    /// The rule that decided: "radius", "pass-by", "closest-approach", "accuracy" (fixes too
    /// poor for the radius) or "geometry-unknown".
    public var rule: String
    public var time: Double
    /// Metres from the checkpoint: at arrival, at the crossing, or at the closest approach.
    public var lateralOffset: Double?
    /// The fix that decided.
    public var fix: PatrolFix?
    public var readings: [TaskReading]
}

/// Everything the agent reports, in order.
public enum PatrolEvent: Sendable, Equatable {
    /// Positions can no longer be trusted (quality below the gate, HDOP, old corrections, stale).
    case geometryUnknown(time: Double, reason: String)
    /// Positions are trusted again (after the hysteresis run of good fixes).
    case geometryTrusted(time: Double)
    case arrived(checkpoint: String, time: Double, rule: String, offset: Double)
    case outcome(CheckpointOutcome)
    /// A checkpoint was missed and is scheduled again (next, or after the last checkpoint).
    case retryScheduled(checkpoint: String, attemptsLeft: Int)
    case fenceBreach(fence: String, level: Geofence.Level, action: String, time: Double, distance: Double)
    case fenceCleared(fence: String, time: Double)
    case completed(PatrolSummary)
}

/// The run's totals.
public struct PatrolSummary: Sendable, Equatable {
    public var visited = 0
    public var missed = 0
    public var skipped = 0
    public var uncertain = 0
    /// Metres travelled over trusted fixes.
    public var distance = 0.0
    /// Seconds from the first fix to the last.
    public var duration = 0.0
}

/// Where to go next.
public struct Guidance: Sendable, Equatable {
    public var checkpoint: String
    /// Metres to the checkpoint.
    public var distance: Double
    /// Degrees clockwise from grid north of the local frame.
    public var bearing: Double
    /// Metres right (positive) or left of the leg from the previous checkpoint.
    public var crossTrack: Double
    /// Fraction of the leg covered (0 at the previous checkpoint, 1 at this one).
    public var alongTrack: Double
}

#if !hasFeature(Embedded)
extension CheckpointVerdict: Codable {}
extension TaskReading: Codable {}
extension TaskReading.Quality: Codable {}
extension CheckpointOutcome: Codable {}
extension PatrolSummary: Codable {}
#endif
