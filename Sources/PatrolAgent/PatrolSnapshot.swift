/// The state of a patrol, for the journal (``PatrolAgent/snapshot``).
public struct PatrolSnapshot: Sendable, Equatable {
    var outcomes: [CheckpointOutcome]
    var summary: PatrolSummary
    var isComplete: Bool
    var isGeometryTrusted: Bool
    var order: [Int]
    var attemptsLeft: [Int]
    var position: Int
    var goodRun: Int
    var lastFix: PatrolFix?
    var lastTrustedPoint: ENU?
    var priorTrustedPoint: ENU?
    var firstFixTime: Double?
    var progress: CheckpointProgress
    var fenceStates: [FenceState]
}

/// How far a fence has been breached, for confirmation and clearing.
struct FenceState: Sendable, Equatable {
    var beyondSince: Double?
    var beyondFixes = 0
    var backFixes = 0
    var breached = false
}

/// The nearest the patrol came to the current checkpoint.
struct Approach: Sendable, Equatable {
    var distance: Double
    var fix: PatrolFix
}

/// What the agent tracks about the checkpoint being approached.
struct CheckpointProgress: Sendable, Equatable {
    var insideFixes = 0
    var arrivedAt: Double?
    var arrivalRule = ""
    var arrivalOffset = 0.0
    var arrivalFix: PatrolFix?
    var lastSide: Double?
    var lastPoint: ENU?
    var sideBeforeUnknown: Double?
    var closest: Approach?
    /// Radius rule: the bisector plane was crossed without an arrival; decided on leaving.
    var crossedPlane = false
}

#if !hasFeature(Embedded)
extension PatrolSnapshot: Codable {}
extension FenceState: Codable {}
extension Approach: Codable {}
extension CheckpointProgress: Codable {}
#endif
