/// The patrol state machine: fixes and a clock in, events out. Deterministic: the same fixes
/// give the same events. Geometry is decided in a local east-north-up frame at the route's first
/// checkpoint.
public struct PatrolAgent<Reader: InspectionReader> {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Trusted fixes in a row needed to trust geometry again after it became unknown.
        public var trustAfter = 3
        /// Seconds without a fix after which geometry is unknown.
        public var staleAfter = 2.0
        public var maximumHDOP = 4.0
        /// Oldest differential or RTK corrections accepted, seconds.
        public var maximumCorrectionAge = 10.0
        /// A decision within this many sigmas of the radius is uncertain.
        public var uncertaintySigmas = 2.0
        /// Fence breach confirmation: this many fixes in a row, or this many seconds, beyond the margin.
        public var fenceConfirmFixes = 3
        public var fenceConfirmSeconds = 3.0
        /// Breach margin: max(fenceMargin, fenceSigmas x accuracy) metres beyond the boundary.
        public var fenceMargin = 2.0
        public var fenceSigmas = 3.0
        /// A crossing of a checkpoint's bisector plane counts only this near the checkpoint
        /// (at least 5 radii): a winding path crosses the infinite plane far away too.
        public var passCorridor = 25.0

        public init() {}
    }

    public let route: Route
    public let configuration: Configuration
    public let frame: LocalFrame
    public private(set) var outcomes: [CheckpointOutcome] = []
    public private(set) var summary = PatrolSummary()
    /// True once every checkpoint has an outcome.
    public private(set) var isComplete = false
    public private(set) var isGeometryTrusted = false

    private var reader: Reader
    private let points: [ENU]
    private let fenceShapes: [FenceShape]
    private var order: [Int]
    private var attemptsLeft: [Int]
    private var position = 0
    private var goodRun = 0
    private var lastFix: PatrolFix?
    private var lastTrustedPoint: ENU?
    /// The trusted point before the current fix's, so that a new checkpoint sees the last step.
    private var priorTrustedPoint: ENU?
    private var firstFixTime: Double?
    private var progress = CheckpointProgress()
    private var fenceStates: [FenceState]

    private enum FenceShape {
        case polygon(Polygon)
        case circle(centre: ENU, radius: Double)
    }

    public init(route: Route, reader: Reader, configuration: Configuration = Configuration()) {
        precondition(!route.checkpoints.isEmpty, "a route has at least one checkpoint")
        self.route = route
        self.reader = reader
        self.configuration = configuration
        let origin = route.checkpoints[0]
        let frame = LocalFrame(latitude: origin.latitude, longitude: origin.longitude, ellipsoid: route.ellipsoid)
        self.frame = frame
        points = route.checkpoints.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) }
        fenceShapes = route.fences.map { fence in
            switch fence.shape {
            case .polygon(let vertices):
                return .polygon(Polygon(vertices.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) }))
            case .circle(let centre, let radius):
                return .circle(centre: frame.enu(latitude: centre.latitude, longitude: centre.longitude), radius: radius)
            }
        }
        fenceStates = Array(repeating: FenceState(), count: route.fences.count)
        order = Array(route.checkpoints.indices)
        attemptsLeft = route.checkpoints.map {
            switch $0.policy {
            case .retry(let attempts): attempts
            case .revisitAtEnd: 1
            case .required, .optional: 0
            }
        }
    }

    /// Everything the agent has decided and is tracking, to journal after each fix and resume
    /// from after a restart (with the same route and configuration).
    public var snapshot: PatrolSnapshot {
        PatrolSnapshot(outcomes: outcomes, summary: summary, isComplete: isComplete, isGeometryTrusted: isGeometryTrusted,
                       order: order, attemptsLeft: attemptsLeft, position: position, goodRun: goodRun, lastFix: lastFix,
                       lastTrustedPoint: lastTrustedPoint, priorTrustedPoint: priorTrustedPoint, firstFixTime: firstFixTime,
                       progress: progress, fenceStates: fenceStates)
    }

    /// Resumes a patrol from a ``snapshot``: no checkpoint is decided twice.
    public init(route: Route, reader: Reader, configuration: Configuration = Configuration(), resuming snapshot: PatrolSnapshot) {
        self.init(route: route, reader: reader, configuration: configuration)
        outcomes = snapshot.outcomes
        summary = snapshot.summary
        isComplete = snapshot.isComplete
        isGeometryTrusted = snapshot.isGeometryTrusted
        order = snapshot.order
        attemptsLeft = snapshot.attemptsLeft
        position = snapshot.position
        goodRun = snapshot.goodRun
        lastFix = snapshot.lastFix
        lastTrustedPoint = snapshot.lastTrustedPoint
        priorTrustedPoint = snapshot.priorTrustedPoint
        firstFixTime = snapshot.firstFixTime
        progress = snapshot.progress
        fenceStates = snapshot.fenceStates
    }

    /// The checkpoint being approached, nil when the patrol is complete.
    public var currentCheckpoint: Checkpoint? { isComplete ? nil : route.checkpoints[order[position]] }

    /// Takes one fix; `emit` receives the events it causes, in order.
    public mutating func ingest(_ fix: PatrolFix, _ emit: (PatrolEvent) -> Void) {
        guard !isComplete else { return }
        if firstFixTime == nil { firstFixTime = fix.time }
        summary.duration = fix.time - (firstFixTime ?? fix.time)
        lastFix = fix
        if let reason = untrustedReason(fix) {
            goodRun = 0
            loseTrust(at: fix.time, reason: reason, emit)
            return
        }
        goodRun += 1
        if !isGeometryTrusted {
            guard goodRun >= configuration.trustAfter else { return }
            isGeometryTrusted = true
            emit(.geometryTrusted(time: fix.time))
        }
        let point = frame.enu(latitude: fix.latitude, longitude: fix.longitude)
        if let last = lastTrustedPoint { summary.distance += last.horizontalDistance(to: point) }
        priorTrustedPoint = lastTrustedPoint
        lastTrustedPoint = point
        checkFences(point, fix, emit)
        checkCheckpoint(point, fix, emit)
    }

    /// Advances the clock without a fix: geometry becomes unknown when the last fix is stale.
    public mutating func tick(now: Double, _ emit: (PatrolEvent) -> Void) {
        guard !isComplete, let last = lastFix, isGeometryTrusted, now - last.time > configuration.staleAfter else { return }
        goodRun = 0
        loseTrust(at: now, reason: "stale: no fix for \(now - last.time) s", emit)
    }

    /// Distance, bearing, cross-track and along-track to the current checkpoint from `fix`.
    public func guidance(from fix: PatrolFix) -> Guidance? {
        guard !isComplete else { return nil }
        let index = order[position]
        let target = points[index], here = frame.enu(latitude: fix.latitude, longitude: fix.longitude)
        let de = target.east - here.east, dn = target.north - here.north
        var bearing = atan2Degrees(de, dn)
        if bearing < 0 { bearing += 360 }
        var crossTrack = 0.0, alongTrack = 1.0
        if position > 0 {
            let from = points[order[position - 1]]
            let le = target.east - from.east, ln = target.north - from.north
            let length = (le * le + ln * ln).squareRoot()
            if length > 0 {
                let pe = here.east - from.east, pn = here.north - from.north
                crossTrack = (pe * ln - pn * le) / length
                alongTrack = (pe * le + pn * ln) / (length * length)
            }
        }
        return Guidance(checkpoint: route.checkpoints[index].name, distance: (de * de + dn * dn).squareRoot(),
                        bearing: bearing, crossTrack: crossTrack, alongTrack: alongTrack)
    }

    private func untrustedReason(_ fix: PatrolFix) -> String? {
        let needed = currentCheckpoint?.minimumQuality ?? .autonomous
        if fix.quality < needed { return "quality \(fix.quality) below \(needed)" }
        if let hdop = fix.hdop, hdop > configuration.maximumHDOP { return "HDOP \(hdop) above \(configuration.maximumHDOP)" }
        if fix.quality >= .differential, let age = fix.correctionAge, age > configuration.maximumCorrectionAge {
            return "corrections \(age) s old"
        }
        return nil
    }

    private mutating func loseTrust(at time: Double, reason: String, _ emit: (PatrolEvent) -> Void) {
        guard isGeometryTrusted else { return }
        isGeometryTrusted = false
        lastTrustedPoint = nil
        priorTrustedPoint = nil
        if progress.lastSide != nil { progress.sideBeforeUnknown = progress.lastSide }
        progress.lastSide = nil
        progress.lastPoint = nil
        progress.insideFixes = 0
        emit(.geometryUnknown(time: time, reason: reason))
    }

    // MARK: Fences

    private mutating func checkFences(_ point: ENU, _ fix: PatrolFix, _ emit: (PatrolEvent) -> Void) {
        let threshold = max(configuration.fenceMargin, configuration.fenceSigmas * fix.accuracy)
        for index in route.fences.indices {
            let fence = route.fences[index]
            let outside: Double
            switch fenceShapes[index] {
            case .polygon(let polygon): outside = polygon.signedDistance(to: point)
            case .circle(let centre, let radius): outside = centre.horizontalDistance(to: point) - radius
            }
            // Positive: how far the position is on the wrong side.
            let beyond = fence.kind == .inclusion ? outside : -outside
            var state = fenceStates[index]
            if beyond > threshold {
                state.backFixes = 0
                if state.beyondSince == nil { state.beyondSince = fix.time }
                state.beyondFixes += 1
                if !state.breached && (state.beyondFixes >= configuration.fenceConfirmFixes
                                       || fix.time - state.beyondSince! >= configuration.fenceConfirmSeconds) {
                    state.breached = true
                    emit(.fenceBreach(fence: fence.name, level: fence.level, action: fence.action, time: fix.time, distance: beyond))
                }
            } else {
                state.beyondSince = nil
                state.beyondFixes = 0
                if state.breached && beyond < 0 {
                    state.backFixes += 1
                    if state.backFixes >= configuration.fenceConfirmFixes {
                        state.breached = false
                        state.backFixes = 0
                        emit(.fenceCleared(fence: fence.name, time: fix.time))
                    }
                }
            }
            fenceStates[index] = state
        }
    }

    // MARK: Checkpoints

    /// The unit normal of the plane that bisects the legs into and out of the current checkpoint;
    /// nil for a one-checkpoint route.
    private func bisectorNormal() -> ENU? {
        let index = order[position], c = points[index]
        func unit(_ from: ENU, _ to: ENU) -> ENU? {
            let e = to.east - from.east, n = to.north - from.north, length = (e * e + n * n).squareRoot()
            return length > 0 ? ENU(east: e / length, north: n / length) : nil
        }
        let inbound = position > 0 ? unit(points[order[position - 1]], c) : nil
        let outbound = position + 1 < order.count ? unit(c, points[order[position + 1]]) : nil
        switch (inbound, outbound) {
        case let (i?, o?):
            let e = i.east + o.east, n = i.north + o.north, length = (e * e + n * n).squareRoot()
            return length > 1e-9 ? ENU(east: e / length, north: n / length) : i
        case let (i?, nil): return i
        case let (nil, o?): return o
        default: return nil
        }
    }

    private mutating func checkCheckpoint(_ point: ENU, _ fix: PatrolFix, _ emit: (PatrolEvent) -> Void) {
        let index = order[position]
        let checkpoint = route.checkpoints[index], c = points[index]
        let distance = point.horizontalDistance(to: c)
        let band = configuration.uncertaintySigmas * fix.accuracy
        if progress.closest.map({ distance < $0.distance }) ?? true { progress.closest = Approach(distance: distance, fix: fix) }

        // A fix whose accuracy is half the radius or worse cannot honour the radius: it never
        // confirms an arrival, and a pass decided on it is uncertain.
        let honours = fix.accuracy < checkpoint.radius / 2
        if progress.arrivedAt == nil, case .radius(let confirmations) = checkpoint.arrival {
            progress.insideFixes = distance <= checkpoint.radius && honours ? progress.insideFixes + 1 : 0
            if progress.insideFixes >= confirmations { arrive(fix, rule: "radius", offset: distance, emit) }
        }
        if let arrivedAt = progress.arrivedAt, fix.time - arrivedAt >= checkpoint.dwell {
            return finish(.visited, rule: progress.arrivalRule, offset: progress.arrivalOffset, fix: progress.arrivalFix, time: fix.time, emit)
        }

        guard let normal = bisectorNormal() else {
            progress.lastPoint = point
            return
        }
        let side = (point.east - c.east) * normal.east + (point.north - c.north) * normal.north
        defer {
            progress.lastSide = side
            progress.lastPoint = point
        }
        if progress.lastSide == nil, let before = progress.sideBeforeUnknown, (before < 0) != (side < 0), progress.arrivedAt == nil {
            // Passed while positions were untrusted: nothing can be said.
            progress.sideBeforeUnknown = nil
            return finish(.uncertain, rule: "geometry-unknown", offset: nil, fix: fix, time: fix.time, emit)
        }
        if progress.crossedPlane {
            // Radius rule, past the plane: decide once the circle is left behind.
            guard distance > checkpoint.radius + band else { return }
            let closest = progress.closest?.distance ?? distance
            let verdict: CheckpointVerdict = honours && closest >= checkpoint.radius + band ? .missed : .uncertain
            return finish(verdict, rule: honours ? "closest-approach" : "accuracy", offset: closest,
                          fix: progress.closest?.fix ?? fix, time: fix.time, emit)
        }
        guard let lastSide = progress.lastSide, let lastPoint = progress.lastPoint, (lastSide < 0) != (side < 0) else {
            return skipAheadIfPastNext(point, fix, band: band, honours: honours, emit)
        }
        // Crossed the bisector plane between the last fix and this one (either way: the route may
        // bend so that the path meets the plane from its far side).
        if progress.arrivedAt != nil {
            // Left before the dwell was over: still visited, decided at arrival.
            return finish(.visited, rule: progress.arrivalRule, offset: progress.arrivalOffset, fix: progress.arrivalFix, time: fix.time, emit)
        }
        guard case .passBy = checkpoint.arrival else {
            progress.crossedPlane = distance <= max(configuration.passCorridor, 5 * checkpoint.radius)
            return
        }
        let t = lastSide / (lastSide - side)
        let crossing = ENU(east: lastPoint.east + t * (point.east - lastPoint.east), north: lastPoint.north + t * (point.north - lastPoint.north))
        let offset = crossing.horizontalDistance(to: c)
        guard offset <= max(configuration.passCorridor, 5 * checkpoint.radius) else {
            return skipAheadIfPastNext(point, fix, band: band, honours: honours, emit)
        }
        if honours && offset <= checkpoint.radius - band {
            arrive(fix, rule: "pass-by", offset: offset, emit)
            if checkpoint.dwell <= 0 { finish(.visited, rule: "pass-by", offset: offset, fix: fix, time: fix.time, emit) }
            return
        }
        // Not clearly within the radius: a winding path may meet the plane sideways before it
        // reaches the checkpoint. Remember the crossing; the closest approach decides once the
        // checkpoint is behind.
        if progress.closest.map({ offset < $0.distance }) ?? true { progress.closest = Approach(distance: offset, fix: fix) }
    }

    /// No crossing clearly within the radius, and the checkpoint is behind: the vehicle came
    /// within the corridor and is now a corridor's width further away than its closest approach,
    /// or is inside the next checkpoint's radius. The closest approach (fixes and interpolated
    /// plane crossings) decides.
    private mutating func skipAheadIfPastNext(_ point: ENU, _ fix: PatrolFix, band: Double, honours: Bool,
                                              _ emit: (PatrolEvent) -> Void) {
        guard progress.arrivedAt == nil, let closest = progress.closest else { return }
        let checkpoint = route.checkpoints[order[position]]
        let corridor = max(configuration.passCorridor, 5 * checkpoint.radius)
        let distance = point.horizontalDistance(to: points[order[position]])
        let receding = closest.distance <= corridor && distance >= closest.distance + corridor
        let atNext = position + 1 < order.count
            && point.horizontalDistance(to: points[order[position + 1]]) <= route.checkpoints[order[position + 1]].radius
        guard receding || atNext else { return }
        let verdict: CheckpointVerdict
        if !honours || (closest.distance > checkpoint.radius - band && closest.distance < checkpoint.radius + band) {
            verdict = .uncertain
        } else {
            verdict = closest.distance <= checkpoint.radius - band ? .visited : .missed
        }
        finish(verdict, rule: "closest-approach", offset: closest.distance, fix: closest.fix, time: fix.time, emit)
        if !isComplete { checkCheckpoint(point, fix, emit) }
    }

    private mutating func arrive(_ fix: PatrolFix, rule: String, offset: Double, _ emit: (PatrolEvent) -> Void) {
        progress.arrivedAt = fix.time
        progress.arrivalRule = rule
        progress.arrivalOffset = offset
        progress.arrivalFix = fix
        emit(.arrived(checkpoint: route.checkpoints[order[position]].name, time: fix.time, rule: rule, offset: offset))
    }

    private mutating func finish(_ verdict: CheckpointVerdict, rule: String, offset: Double?, fix: PatrolFix?, time: Double,
                                 _ emit: (PatrolEvent) -> Void) {
        let index = order[position]
        let checkpoint = route.checkpoints[index]
        var verdict = verdict
        var readings: [TaskReading] = []
        if verdict == .visited {
            readings = checkpoint.tasks.map { task in read(task) }
        } else if verdict == .missed {
            if attemptsLeft[index] > 0 {
                attemptsLeft[index] -= 1
                if checkpoint.policy == .revisitAtEnd { order.append(index) } else { order.insert(index, at: position + 1) }
                emit(.retryScheduled(checkpoint: checkpoint.name, attemptsLeft: attemptsLeft[index]))
                return advance(emit)
            }
            if checkpoint.policy == .optional { verdict = .skipped }
        }
        let outcome = CheckpointOutcome(checkpoint: checkpoint.name, verdict: verdict, rule: rule, time: time,
                                        lateralOffset: offset, fix: fix, readings: readings)
        outcomes.append(outcome)
        switch verdict {
        case .visited: summary.visited += 1
        case .missed: summary.missed += 1
        case .skipped: summary.skipped += 1
        case .uncertain: summary.uncertain += 1
        }
        emit(.outcome(outcome))
        advance(emit)
    }

    private mutating func read(_ task: InspectionTask) -> TaskReading {
        var attempts = 0
        var failure = InspectionFailure("not read")
        while attempts <= task.retries {
            attempts += 1
            switch reader.read(task.point) {
            case .success(let value):
                let inRange = task.expected.map { $0.contains(value) } ?? true
                return TaskReading(point: task.point, value: value, quality: inRange ? .good : .outOfRange, attempts: attempts)
            case .failure(let error):
                failure = error
            }
        }
        return TaskReading(point: task.point, value: nil, quality: .failed(reason: failure.reason), attempts: attempts)
    }

    private mutating func advance(_ emit: (PatrolEvent) -> Void) {
        position += 1
        progress = CheckpointProgress()
        // The step that led here may already cross the next checkpoint's plane.
        if position < order.count, let prior = priorTrustedPoint, let normal = bisectorNormal() {
            let c = points[order[position]]
            progress.lastPoint = prior
            progress.lastSide = (prior.east - c.east) * normal.east + (prior.north - c.north) * normal.north
        }
        if position == order.count {
            isComplete = true
            emit(.completed(summary))
        }
    }
}

/// atan2 in degrees (east, north order: a bearing).
func atan2Degrees(_ east: Double, _ north: Double) -> Double {
    LocalFrame.atan2(east, north) * 180 / .pi
}
