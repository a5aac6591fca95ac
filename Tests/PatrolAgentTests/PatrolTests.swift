import Foundation
import Testing
@testable import PatrolAgent

/// A real track as ground truth: its points, resampled along the path at a speed and a rate.
struct Track {
    var points: [Coordinate]

    static func gpx(_ name: String) throws -> Track {
        let url = Fixtures.root.appendingPathComponent("tracks/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        var points: [Coordinate] = []
        for piece in text.components(separatedBy: "<trkpt").dropFirst() {
            func attribute(_ name: String) -> Double? {
                guard let range = piece.range(of: "\(name)=\"") else { return nil }
                return Double(piece[range.upperBound...].prefix { $0 != "\"" })
            }
            if let lat = attribute("lat"), let lon = attribute("lon") { points.append(Coordinate(latitude: lat, longitude: lon)) }
        }
        return Track(points: points)
    }

    /// Positions every `1 / rate` seconds at `speed` m/s along the track, in `frame`.
    func resampled(in frame: LocalFrame, speed: Double, rate: Double) -> [ENU] {
        let enu = points.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) }
        var out: [ENU] = [enu[0]]
        let step = speed / rate
        var carried = 0.0
        for (a, b) in zip(enu, enu.dropFirst()) {
            let length = a.horizontalDistance(to: b)
            var along = step - carried
            while along <= length {
                let t = along / length
                out.append(ENU(east: a.east + t * (b.east - a.east), north: a.north + t * (b.north - a.north)))
                along += step
            }
            carried = length - (along - step)
        }
        return out
    }
}

/// Receiver noise: a first-order Gauss-Markov error per axis (time constant 20 s) of standard
/// deviation sigma, and a seeded generator so every run is the same.
struct ReceiverNoise {
    var sigma: Double
    var state: UInt64
    var east = 0.0, north = 0.0
    let phi = exp(-1.0 / 20)

    init(sigma: Double, seed: UInt64) {
        self.sigma = sigma
        state = seed &* 2862933555777941757 &+ 3037000493
        east = sigma * gaussian()
        north = sigma * gaussian()
    }

    mutating func gaussian() -> Double {
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
    }

    mutating func next() -> (Double, Double) {
        let scale = sigma * (1 - phi * phi).squareRoot()
        east = phi * east + scale * gaussian()
        north = phi * north + scale * gaussian()
        return (east, north)
    }
}

/// A quality whose sigma at HDOP 1 is close to `sigma`, and the HDOP that makes it exact.
func qualityFor(sigma: Double) -> (PositionQuality, Double) {
    let quality: PositionQuality = sigma <= 0.3 ? .rtkFloat : sigma <= 0.8 ? .differential : .autonomous
    return (quality, max(1, sigma / quality.sigmaAtUnitHDOP))
}

struct PatrolRun {
    var outcomes: [String: CheckpointVerdict] = [:]
    var events: [PatrolEvent] = []
}

/// Drives an agent along `path` with noise; returns the outcome of each checkpoint.
func drive(_ route: Route, path: [ENU], frame: LocalFrame, sigma: Double, seed: UInt64, rate: Double = 1,
           arrival: Checkpoint.ArrivalRule = .passBy) -> PatrolRun {
    var agent = PatrolAgent(route: route, reader: NoReadings())
    var noise = ReceiverNoise(sigma: sigma, seed: seed)
    var run = PatrolRun()
    let (quality, hdop) = qualityFor(sigma: sigma)
    for (index, truth) in path.enumerated() {
        let error = sigma > 0 ? noise.next() : (0, 0)
        let p = frame.geodetic(ENU(east: truth.east + error.0, north: truth.north + error.1))
        let fix = PatrolFix(time: Double(index) / rate, latitude: p.latitude, longitude: p.longitude, quality: sigma > 0 ? quality : .rtkFixed,
                            hdop: sigma > 0 ? hdop : 1)
        agent.ingest(fix) { event in
            run.events.append(event)
            if case .outcome(let outcome) = event { run.outcomes[outcome.checkpoint] = outcome.verdict }
        }
        if agent.isComplete { break }
    }
    return run
}

@Suite("Patrol agent")
struct PatrolTests {
    /// Checkpoints on the path of cerknicko-jezero.gpx (every 8th track point) and decoys 3 R to
    /// the side of it; radius 3 m; pass-by at 5 m/s, 1 Hz.
    static func lakeRoute(radius: Double = 3, rate: Double = 1) throws -> (Route, [ENU], LocalFrame, onPath: Set<String>) {
        let track = try Track.gpx("cerknicko-jezero.gpx")
        let frame = LocalFrame(latitude: track.points[0].latitude, longitude: track.points[0].longitude, ellipsoid: .wgs84)
        let path = track.resampled(in: frame, speed: 5, rate: rate)
        var checkpoints: [Checkpoint] = []
        var onPath: Set<String> = []
        let enu = track.points.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) }
        for index in stride(from: 8, to: enu.count - 8, by: 8) {
            let here = enu[index], next = enu[index + 1]
            let length = here.horizontalDistance(to: next)
            guard length > 1 else { continue }
            if index % 16 == 0 {
                // A decoy 3 R to the left of the path: must never be visited.
                let offset = ENU(east: here.east - 3 * radius * (next.north - here.north) / length,
                                 north: here.north + 3 * radius * (next.east - here.east) / length)
                let p = frame.geodetic(offset)
                checkpoints.append(Checkpoint(name: "decoy-\(index)", latitude: p.latitude, longitude: p.longitude, radius: radius, arrival: .passBy))
            } else {
                let p = track.points[index]
                checkpoints.append(Checkpoint(name: "cp-\(index)", latitude: p.latitude, longitude: p.longitude, radius: radius, arrival: .passBy))
                onPath.insert("cp-\(index)")
            }
        }
        let route = Route(name: "lake", ellipsoid: .wgs84, frame: "WGS84", checkpoints: checkpoints)
        return (route, path, frame, onPath)
    }

    @Test(arguments: [1.0, 10.0])
    func perfectFixesMissNothingAtSpeed(_ rate: Double) throws {
        let (route, path, frame, onPath) = try Self.lakeRoute(rate: rate)
        let run = drive(route, path: path, frame: frame, sigma: 0, seed: 1, rate: rate)
        #expect(run.outcomes.count == route.checkpoints.count)
        for (name, verdict) in run.outcomes {
            #expect(verdict == (onPath.contains(name) ? .visited : .missed), "\(name)")
        }
    }

    /// 10,000+ noisy passes with sigma <= 0.5 m at 1, 2 and 5 Hz: no decoy ever visited, at most
    /// 0.5 % of on-path checkpoints missed; with sigma >= R/2 nothing confident at all.
    @Test func noisyPassesOverTheLake() throws {
        var paths: [Double: (Route, [ENU], LocalFrame, onPath: Set<String>)] = [:]
        for rate in [1.0, 2.0, 5.0] {
            let lake = try Self.lakeRoute(rate: rate)
            paths[rate] = lake
        }
        let (route, path, frame, onPath) = paths[1]!
        var passes = 0, missedOnPath = 0, falseArrivals = 0, uncertain = 0
        var run = 0
        while passes < 10_000 {
            let sigma = [0.1, 0.3, 0.5][run % 3], rate = [1.0, 2.0, 5.0][run / 3 % 3]
            let (route, path, frame, _) = paths[rate]!
            let result = drive(route, path: path, frame: frame, sigma: sigma, seed: UInt64(run + 1), rate: rate)
            for (name, verdict) in result.outcomes {
                passes += 1
                if onPath.contains(name) {
                    if verdict == .missed { missedOnPath += 1 }
                } else if verdict == .visited {
                    falseArrivals += 1
                }
                if verdict == .uncertain { uncertain += 1 }
            }
            run += 1
        }
        #expect(falseArrivals == 0)
        #expect(Double(missedOnPath) <= 0.005 * Double(passes), "\(missedOnPath) missed of \(passes) passes (\(uncertain) uncertain)")
        var confident = 0, poorPasses = 0
        for seed in 0..<40 {
            let result = drive(route, path: path, frame: frame, sigma: 1.5, seed: UInt64(1000 + seed))
            poorPasses += result.outcomes.count
            confident += result.outcomes.values.filter { $0 != .uncertain }.count
        }
        #expect(poorPasses > 0 && confident == 0, "\(confident) confident verdicts with sigma = R/2")
    }

    /// A fence: a single 50-200 m outlier never breaches; a real excursion is reported within the
    /// confirmation (3 fixes) plus one.
    @Test func fenceBreachNeedsConfirmation() {
        let frame = LocalFrame(latitude: 22.27, longitude: 113.57)
        func coordinate(_ east: Double, _ north: Double) -> Coordinate {
            let p = frame.geodetic(ENU(east: east, north: north))
            return Coordinate(latitude: p.latitude, longitude: p.longitude)
        }
        let fence = Geofence(name: "yard", shape: .polygon([coordinate(-100, -100), coordinate(1000, -100), coordinate(1000, 100), coordinate(-100, 100)]),
                             kind: .inclusion, level: .hard, action: "stop")
        let route = Route(name: "yard", ellipsoid: .wgs84, checkpoints: [Checkpoint(name: "far", latitude: coordinate(900, 0).latitude,
                                                                                   longitude: coordinate(900, 0).longitude, radius: 5)],
                          fences: [fence])
        var agent = PatrolAgent(route: route, reader: NoReadings())
        var breaches: [Double] = []
        var time = 0.0
        func fix(_ east: Double, _ north: Double) {
            let c = coordinate(east, north)
            agent.ingest(PatrolFix(time: time, latitude: c.latitude, longitude: c.longitude, quality: .rtkFixed, hdop: 1)) { event in
                if case .fenceBreach(_, _, _, let t, _) = event { breaches.append(t) }
            }
            time += 1
        }
        for step in 0..<200 {
            let outlier = step % 20 == 10 ? 50.0 + Double(step % 7) * 25 : 0
            fix(Double(step), outlier)
        }
        #expect(breaches.isEmpty)
        let leaving = time
        for step in 0..<10 { fix(200, 100 + 10 * Double(step)) }
        // Outside from the second of these fixes (110 m > 100 m + 2 m margin): confirmed on the fourth.
        #expect(breaches.count == 1 && breaches[0] - leaving <= 4)
    }

    /// Degraded fixes make geometry unknown; a checkpoint passed meanwhile is uncertain, never
    /// visited or missed; radius arrival with dwell runs the tasks through the reader.
    @Test func gatingDwellAndTasks() {
        struct PlantReader: InspectionReader {
            var calls: [String] = []
            mutating func read(_ point: String) -> Result<Double, InspectionFailure> {
                calls.append(point)
                switch point {
                case "pump.pressure": return .success(4.2)
                case "pump.temperature": return .success(95)
                default: return calls.filter { $0 == point }.count < 2 ? .failure(InspectionFailure("timeout")) : .success(1)
                }
            }
        }
        let frame = LocalFrame(latitude: 22.27, longitude: 113.57)
        func coordinate(_ east: Double) -> Coordinate {
            let p = frame.geodetic(ENU(east: east, north: 0))
            return Coordinate(latitude: p.latitude, longitude: p.longitude)
        }
        let tasks = [InspectionTask(point: "pump.pressure", expected: 3...5), InspectionTask(point: "pump.temperature", expected: 20...80),
                     InspectionTask(point: "door", retries: 1)]
        let route = Route(name: "line", ellipsoid: .wgs84, checkpoints: [
            Checkpoint(name: "start", latitude: coordinate(0).latitude, longitude: coordinate(0).longitude, radius: 3),
            Checkpoint(name: "pump", latitude: coordinate(100).latitude, longitude: coordinate(100).longitude, radius: 3,
                       arrival: .radius(confirmations: 2), dwell: 5, tasks: tasks),
            Checkpoint(name: "gate", latitude: coordinate(200).latitude, longitude: coordinate(200).longitude, radius: 3, arrival: .passBy),
            Checkpoint(name: "end", latitude: coordinate(300).latitude, longitude: coordinate(300).longitude, radius: 3),
        ])
        var agent = PatrolAgent(route: route, reader: PlantReader())
        var events: [PatrolEvent] = []
        var time = 0.0
        func fix(_ east: Double, quality: PositionQuality = .rtkFixed) {
            let c = coordinate(east)
            agent.ingest(PatrolFix(time: time, latitude: c.latitude, longitude: c.longitude, quality: quality, hdop: 1)) { events.append($0) }
            time += 1
        }
        for _ in 0..<4 { fix(0) }                                // trusted after 3, arrive at start
        for east in stride(from: 5.0, through: 100, by: 5) { fix(east) }
        for _ in 0..<8 { fix(100) }                               // dwell at the pump
        for east in stride(from: 105.0, through: 180, by: 5) { fix(east) }
        for east in stride(from: 185.0, through: 215, by: 5) { fix(east, quality: .none) }  // gate passed blind
        for east in stride(from: 220.0, through: 300, by: 5) { fix(east) }
        for _ in 0..<3 { fix(300) }
        let outcomes = events.compactMap { if case .outcome(let o) = $0 { o } else { nil } }
        #expect(outcomes.map(\.checkpoint) == ["start", "pump", "gate", "end"])
        #expect(outcomes.map(\.verdict) == [.visited, .visited, .uncertain, .visited])
        #expect(outcomes[2].rule == "geometry-unknown")
        let readings = outcomes[1].readings
        #expect(readings.map(\.quality) == [.good, .outOfRange, .good])
        #expect(readings[2].attempts == 2)
        #expect(events.contains { if case .geometryUnknown = $0 { true } else { false } })
        if case .completed(let summary) = events.last {
            #expect(summary.visited == 3 && summary.uncertain == 1 && summary.missed == 0)
            #expect((summary.distance - 300).magnitude < 60) // the blind stretch is not counted
        } else {
            Issue.record("no completion event")
        }
    }

    /// Policies: a missed "revisit" checkpoint comes back after the last one; "retry 1" comes
    /// back straight away; "optional" is skipped; "required" is missed.
    @Test(arguments: [(Checkpoint.Policy.revisitAtEnd, ["a", "c", "b"], [CheckpointVerdict.visited, .visited, .visited]),
                      (.retry(attempts: 1), ["a", "b", "c"], [.visited, .visited, .visited]),
                      (.optional, ["a", "b", "c"], [.visited, .skipped, .visited]),
                      (.required, ["a", "b", "c"], [.visited, .missed, .visited])])
    func policies(_ policy: Checkpoint.Policy, _ expectedOrder: [String], _ expectedVerdicts: [CheckpointVerdict]) {
        let frame = LocalFrame(latitude: 30, longitude: 120)
        func checkpoint(_ name: String, _ east: Double, _ policy: Checkpoint.Policy = .required) -> Checkpoint {
            let p = frame.geodetic(ENU(east: east, north: 0))
            return Checkpoint(name: name, latitude: p.latitude, longitude: p.longitude, radius: 3, arrival: .passBy, policy: policy)
        }
        let route = Route(name: "p", ellipsoid: .wgs84, checkpoints: [checkpoint("a", 0), checkpoint("b", 100, policy), checkpoint("c", 200)])
        var agent = PatrolAgent(route: route, reader: NoReadings())
        var time = 0.0
        func drive(from start: Double, to end: Double, north: Double) {
            let step = end > start ? 5.0 : -5.0
            for east in stride(from: start, through: end, by: step) {
                let p = frame.geodetic(ENU(east: east, north: north))
                agent.ingest(PatrolFix(time: time, latitude: p.latitude, longitude: p.longitude, quality: .rtkFixed)) { _ in }
                time += 1
            }
        }
        drive(from: -30, to: 60, north: 0)
        drive(from: 60, to: 140, north: 12)      // misses b by 12 m
        if policy == .retry(attempts: 1) {
            drive(from: 140, to: 60, north: 0)   // turns back through b
            drive(from: 60, to: 260, north: 0)
        } else {
            drive(from: 140, to: 260, north: 0)
            drive(from: 260, to: 60, north: 0)   // comes back for the revisit
        }
        #expect(agent.outcomes.map(\.checkpoint) == expectedOrder)
        #expect(agent.outcomes.map(\.verdict) == expectedVerdicts)
    }

    @Test func guidanceAlongALeg() {
        let frame = LocalFrame(latitude: 30, longitude: 120)
        func coordinate(_ east: Double, _ north: Double) -> Coordinate {
            let p = frame.geodetic(ENU(east: east, north: north))
            return Coordinate(latitude: p.latitude, longitude: p.longitude)
        }
        let a = coordinate(0, 0), b = coordinate(0, 100)
        var agent = PatrolAgent(route: Route(name: "g", ellipsoid: .wgs84, checkpoints: [
            Checkpoint(name: "a", latitude: a.latitude, longitude: a.longitude, radius: 2, arrival: .radius(confirmations: 1)),
            Checkpoint(name: "b", latitude: b.latitude, longitude: b.longitude, radius: 2)]), reader: NoReadings())
        for time in 0..<3 { agent.ingest(PatrolFix(time: Double(time), latitude: a.latitude, longitude: a.longitude, quality: .rtkFixed)) { _ in } }
        let here = coordinate(3, 40)
        let guidance = agent.guidance(from: PatrolFix(time: 4, latitude: here.latitude, longitude: here.longitude, quality: .rtkFixed))!
        #expect(guidance.checkpoint == "b")
        #expect((guidance.crossTrack - 3).magnitude < 0.01)
        #expect((guidance.alongTrack - 0.4).magnitude < 0.001)
        #expect((guidance.distance - (9 + 3600.0).squareRoot()).magnitude < 0.01)
        #expect((guidance.bearing - (360 - atan2(3, 60) * 180 / .pi)).magnitude < 0.01)
    }
}

/// The patrols' clock on virtual time: the receiver's time, carried on while epochs are missing.
@Suite("Patrol clock")
struct PatrolClockTests {
    @Test func carriesOnWithoutEpochs() {
        var clock = PatrolClock()
        #expect(clock.receiverTime(at: 10) == nil)
        clock.epoch(receiverTime: 7_200, at: 100)
        #expect(clock.receiverTime(at: 100) == 7_200)
        #expect(clock.receiverTime(at: 103.5) == 7_203.5)
        #expect(clock.receiverTime(at: 99) == 7_200, "never backwards")
        clock.epoch(receiverTime: 7_210, at: 104)   // the receiver's own time wins when epochs return
        #expect(clock.receiverTime(at: 105) == 7_211)
    }
}
