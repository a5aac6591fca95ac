import Foundation
import Testing
@testable import PredictiveMaintenance

/// A manual clock: tests advance it; nothing sleeps.
struct ManualClock {
    var seconds = 0.0
    mutating func advance(by step: Double) -> Double {
        seconds += step
        return seconds
    }
}

@Suite("Alarms")
struct AlarmTests {
    let rule = AlarmRule(warning: 4.5, alarm: 7.1, persistenceCount: 3, persistenceWindow: 5, hysteresis: 0.1)
    let running = OperatingState(running: true, speedHz: 25)

    @Test func aSingleSpikeRaisesNothing() {
        var monitor = AlarmMonitor(rule: rule)
        var clock = ManualClock()
        var events: [AlarmEvent] = []
        for value in [1.0, 1.2, 25.0, 1.1, 0.9, 1.0, 1.3, 30.0, 1.0, 1.0] {
            if let event = monitor.evaluate(value, at: clock.advance(by: 1), operating: running) { events.append(event) }
        }
        #expect(events.isEmpty)
        #expect(monitor.level == .normal)
    }

    @Test func aRealStepRaisesWithinThePersistenceWindow() {
        var monitor = AlarmMonitor(rule: rule)
        var clock = ManualClock()
        var events: [AlarmEvent] = []
        for _ in 0..<10 { _ = monitor.evaluate(1.0, at: clock.advance(by: 1), operating: running) }
        let stepAt = clock.seconds
        for _ in 0..<5 {
            if let event = monitor.evaluate(8.0, at: clock.advance(by: 1), operating: running) { events.append(event) }
        }
        #expect(events.count == 1)
        let event = try! #require(events.first)
        #expect(event.level == .alarm && event.previous == .normal)
        // Raised on the third window of the step (3 of 5), within the 5-window persistence window.
        #expect(event.time - stepAt == 3)
        // Back to normal: cleared after three windows below the lowered thresholds, not before.
        var cleared: [AlarmEvent] = []
        for value in [6.5, 1.0, 1.0, 1.0, 1.0] {
            if let event = monitor.evaluate(value, at: clock.advance(by: 1), operating: running) { cleared.append(event) }
        }
        #expect(cleared.map(\.level) == [.normal])
    }

    @Test func hysteresisStopsFlappingAtTheThreshold() {
        var monitor = AlarmMonitor(rule: rule)
        var clock = ManualClock()
        var events: [AlarmEvent] = []
        for _ in 0..<3 { _ = monitor.evaluate(5.0, at: clock.advance(by: 1), operating: running) }
        #expect(monitor.level == .warning)
        // Hovering just under the warning threshold (within the 10 % hysteresis) clears nothing.
        for value in [4.4, 4.6, 4.3, 4.4, 4.2, 4.6] {
            if let event = monitor.evaluate(value, at: clock.advance(by: 1), operating: running) { events.append(event) }
        }
        #expect(events.isEmpty)
        #expect(monitor.level == .warning)
    }

    @Test func silentWhileStoppedOrOutOfSpeedRange() {
        var gated = rule
        gated.speedRange = 20...30
        var monitor = AlarmMonitor(rule: gated)
        var clock = ManualClock()
        for _ in 0..<10 {
            #expect(monitor.evaluate(50, at: clock.advance(by: 1), operating: OperatingState(running: false)) == nil)
            #expect(monitor.evaluate(50, at: clock.advance(by: 1), operating: OperatingState(running: true, speedHz: 5)) == nil)
        }
        #expect(monitor.level == .normal && monitor.gatedWindows == 20)
        // Start-up windows do not count towards persistence once running.
        #expect(monitor.evaluate(50, at: clock.advance(by: 1), operating: running) == nil)
    }
}

@Suite("Health over time")
struct HealthTests {
    @Test func mahalanobisMatchesScipy() throws {
        let dimension = 3
        var baseline = Baseline(dimension: dimension, learningWindows: 200)
        let noise = Signals.noise(count: 600, sigma: 1, seed: 3).map(Double.init)
        var vectors: [[Double]] = []
        for index in 0..<200 {
            let a = noise[3 * index], b = noise[3 * index + 1], c = noise[3 * index + 2]
            vectors.append([2 + a, 5 + 0.8 * a + 0.3 * b, -1 + 0.5 * c])
        }
        for vector in vectors { #expect(baseline.add(vector) == nil) }
        #expect(baseline.state == .active)
        let probe = [3.0, 4.0, 0.5]
        let score = baseline.score(probe)
        let flat = vectors.flatMap { $0.map(Float.init) } + probe.map(Float.init)
        let reference = try numpy("""
            v = x[:-3].reshape(-1, 3); p = x[-3:]
            import scipy.spatial.distance as d
            cov = np.cov(v, rowvar=False)
            print(json.dumps({"m": d.mahalanobis(p, v.mean(axis=0), np.linalg.inv(cov)),
                              "z": ((p - v.mean(axis=0)) / np.sqrt(np.diag(cov))).tolist()}))
            """, samples: flat)
        // The vectors went through float32 for the peer: compare to 1e-5.
        #expect((score.mahalanobis - (reference["m"] as! Double)).magnitude < 1e-4)
        for (ours, theirs) in zip(score.zScores, reference["z"] as! [Double]) { #expect((ours - theirs).magnitude < 1e-4) }
        baseline.relearn()
        #expect(baseline.state == .learning(collected: 0, needed: 200))
    }

    /// A baseline saved and read back (as the daemon keeps it across restarts) scores exactly as
    /// the one saved, one saved while learning goes on learning the same, and a damaged file is
    /// refused rather than trusted.
    @Test func baselineSurvivesSavingExactly() throws {
        let noise = Signals.noise(count: 2000, sigma: 1, seed: 5).map(Double.init)
        let vectors: [[Double]] = (0..<500).map { index in
            let a: Double = noise[4 * index], b: Double = noise[4 * index + 1], c: Double = noise[4 * index + 2], d: Double = noise[4 * index + 3]
            return [3 + a, 1 + 0.5 * b, 4 + c, d]
        }
        func roundTrip(_ baseline: Baseline) throws -> Baseline { try JSONDecoder().decode(Baseline.self, from: JSONEncoder().encode(baseline)) }
        var learnt = Baseline(dimension: 4, learningWindows: 100)
        var learning = learnt
        for vector in vectors.prefix(40) { _ = learning.add(vector) }
        var resumed = try roundTrip(learning)
        #expect(resumed.state == .learning(collected: 40, needed: 100))
        for vector in vectors.prefix(100) { _ = learnt.add(vector) }
        for vector in vectors[40..<100] { _ = resumed.add(vector) }
        #expect(resumed.state == .active && resumed.mean == learnt.mean && resumed.covariance == learnt.covariance)
        let restored = try roundTrip(learnt)
        #expect(restored.state == .active)
        for vector in vectors.suffix(400) { #expect(restored.score(vector) == learnt.score(vector)) }
        for damaged in [#"{"dimension":4,"learning_windows":100,"count":100,"mean":[0,0,0],"comoment":[]}"#,
                        #"{"dimension":4,"learning_windows":100,"count":101,"mean":[0,0,0,0],"comoment":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}"#,
                        #"{"dimension":4,"learning_windows":3,"count":0,"mean":[0,0,0,0],"comoment":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(Baseline.self, from: Data(damaged.utf8)) }
        }
        var health = MachineHealth(MachineHealth.Configuration(severity: .iso10816part3(group: .two, support: .rigid)))
        let taken = health.resume(baseline: learnt)
        #expect(!taken, "learnt over 100 windows, the machine's over 200")
        #expect(health.baseline.state == Baseline.State.learning(collected: 0, needed: 200))
    }

    @Test func ewmaAndCUSUMCatchASmallSustainedShiftNotNoise() {
        var ewma = EWMADetector(lambda: 0.2, limit: 3)
        var cusum = CUSUMDetector(slack: 0.5, threshold: 5)
        let noise = Signals.noise(count: 400, sigma: 1, seed: 11).map(Double.init)
        var falseSignals = 0
        for z in noise.prefix(200) where ewma.add(z) || cusum.add(z) { falseSignals += 1 }
        #expect(falseSignals <= 2)
        ewma.reset()
        cusum.reset()
        var firstSignal: Int?
        for (index, z) in noise.suffix(200).enumerated() where firstSignal == nil {
            let shifted = z + 1.5
            let e = ewma.add(shifted), c = cusum.add(shifted)
            if e || c { firstSignal = index }
        }
        #expect(firstSignal != nil && firstSignal! < 15)
    }

    @Test func remainingLifeOnlyForASignificantTrend() throws {
        // Velocity rising 0.01 mm/s per hour with noise: 7.1 mm/s is reached at a known time.
        let times = (0..<100).map { Double($0) * 3600 }
        let noise = Signals.noise(count: 100, sigma: 0.05, seed: 5)
        let values = times.enumerated().map { 2.0 + 0.01 * $0.element / 3600 + Double(noise[$0.offset]) }
        let fit = try #require(TrendFit(times: times, values: values))
        #expect(fit.isSignificant)
        let life = try #require(fit.timeToThreshold(7.1, from: times.last!))
        let expected = (7.1 - (2.0 + 0.01 * 99)) / 0.01 * 3600
        #expect((life.seconds - expected).magnitude < 0.05 * expected)
        #expect(life.lowerSeconds < life.seconds && life.seconds < life.upperSeconds)
        // Flat noise: no significant trend, no remaining life.
        let flat = try #require(TrendFit(times: times, values: noise.map { 2 + Double($0) }))
        #expect(flat.timeToThreshold(7.1, from: times.last!) == nil || !flat.isSignificant)
        // Exponential growth is fitted in log space.
        let growing = times.map { 1.0 * Foundation.exp($0 / 3600 / 50) }
        let exponential = try #require(TrendFit(times: times, values: growing, model: .exponential))
        #expect((exponential.slope * 3600 * 50 - 1).magnitude < 1e-9)
    }

    @Test func severityZonesFollowTheTables() {
        let group2rigid = SeverityCriteria.iso10816part3(group: .two, support: .rigid)
        #expect([1.0, 1.4, 2.79, 2.8, 4.49, 4.5, 12].map { group2rigid.zone(velocityRMS: $0) } == [.a, .b, .b, .c, .c, .d, .d])
        #expect(SeverityCriteria.iso10816part3(group: .one, support: .flexible).zone(velocityRMS: 10.9) == .c)
        #expect(SeverityCriteria.iso10816part1(machineClass: .one).zone(velocityRMS: 0.72) == .b)
        #expect(SeverityCriteria.iso10816part1(machineClass: .four).zone(velocityRMS: 17.9) == .c)
    }
}

@Suite("Sample timing and channels")
struct ChannelTests {
    @Test func measuresTheTrueRateAndCountsGaps() {
        var timing = SampleTiming(nominalRate: 25_600)
        let trueRate = 25_000.0 // the sensor runs 2.3 % slow
        var sample = 0
        var continuity: [SampleTiming.Continuity] = []
        for block in 0..<40 {
            if block == 20 { sample += 3_000 } // 3,000 samples lost in transit
            continuity.append(timing.add(blockOf: 512, at: Int64((Double(sample) / trueRate * 1e9).rounded())))
            sample += 512
        }
        #expect(continuity.filter { $0 != .continuous }.count == 1)
        #expect(continuity[20] == .gap(missingSamples: 3_000))
        #expect(timing.gaps == 1 && timing.lostSamples == 3_000)
        #expect((timing.measuredRate - trueRate).magnitude < 0.01)
    }

    /// Healthy machine: noise plus shaft harmonics gives verdict none, zone A or B, and no alarm;
    /// no window spans the gap.
    @Test func healthySignalGivesNoVerdictAndNoAlarm() {
        let rate = 25_600.0, shaft = 24.5
        let configuration = WindowAnalyzer.Configuration(
            sampleRate: rate, frameLength: 4096, toMetresPerSecondSquared: 9.80665,
            bearing: BearingGeometry(rollingElements: 8, elementDiameter: 0.235, pitchDiameter: 1.245), shaftHz: shaft)
        var health = MachineHealth.Configuration(severity: configuration.severity)
        health.learningWindows = 20
        let channel = VibrationChannel(configuration, hop: 2048, health: health)
        let count = 1 << 17
        let noise = Signals.noise(count: count, sigma: 0.02, seed: 9)
        let samples = (0..<count).map { index -> Float in
            let t = Double(index) / rate
            return noise[index] + Float(0.01 * sin(2 * .pi * shaft * t) + 0.004 * sin(2 * .pi * 2 * shaft * t + 1) + 0.002 * sin(2 * .pi * 3 * shaft * t))
        }
        var windows: [WindowAnalyzer.Result] = []
        var alarms = 0, gaps = 0, learnt = 0
        samples.withUnsafeBufferPointer { all in
            var start = 0, timeSamples = 0
            while start < all.count {
                let end = min(all.count, start + 1000)
                if start == 64_000 { timeSamples += 10_000 } // a gap in the middle
                channel.process(UnsafeBufferPointer(rebasing: all[start..<end]), at: Int64(Double(timeSamples) / rate * 1e9),
                                operating: OperatingState(running: true, speedHz: shaft)) { event in
                    switch event {
                    case .window(let result): windows.append(result)
                    case .health(.baselineLearnt): learnt += 1
                    case .health: alarms += 1
                    case .gap: gaps += 1
                    }
                }
                timeSamples += end - start
                start = end
            }
        }
        #expect(gaps == 1)
        // 64,000 samples before the gap and 67,072 after: whole windows on each side only.
        #expect(windows.count == (64_000 - 4096) / 2048 + 1 + (count - 64_000 - 4096) / 2048 + 1)
        #expect(windows.allSatisfy { $0.verdict == .none }, "\(windows.filter { $0.verdict != .none }.map { ($0.verdict, $0.verdictScore) })")
        #expect(windows.allSatisfy { $0.zone <= .b })
        #expect(alarms == 0)
        #expect(learnt == 1 && channel.health.baseline.state == .active)
    }
}

@Suite("Maintenance events")
struct MaintenanceEventTests {
    /// A healthy pump, then an outer-race defect: one baseline_learnt, then one maintenance_alarm
    /// whose evidence is the alarm's window diagnosed at the running speed the channel was given
    /// (outer_race), not without it (the daemon's alarms said "none" when the speed came from the
    /// operating state rather than the configuration); windows make no line.
    @Test func anAlarmCarriesTheWindowsDiagnosis() {
        let rate = 25_600.0, shaft = 24.5, frame = 4096
        let bearing = BearingGeometry(rollingElements: 8, elementDiameter: 7.94, pitchDiameter: 39.04)
        var configuration = WindowAnalyzer.Configuration(sampleRate: rate, frameLength: frame)
        configuration.bearing = bearing
        var health = MachineHealth.Configuration(severity: configuration.severity)
        health.learningWindows = 40
        let channel = VibrationChannel(configuration, hop: frame, health: health)
        let healthy = SyntheticVibration(sampleRate: rate, shaftHz: shaft, bearing: bearing, fault: .none).samples(count: 44 * frame)
        var failing = SyntheticVibration(sampleRate: rate, shaftHz: shaft, bearing: bearing, fault: .outerRace)
        failing.seed = 2
        let operating = OperatingState(running: true, speedHz: shaft)
        var episodes = AlarmEpisodes()
        var lines: [(kind: String, verdict: BearingFault?)] = []
        for (offset, samples) in [(0, healthy), (healthy.count, failing.samples(count: 8 * frame))] {
            samples.withUnsafeBufferPointer { all in
                for start in stride(from: 0, to: all.count, by: frame) {
                    let block = UnsafeBufferPointer(rebasing: all[start..<(start + frame)])
                    channel.process(block, at: Int64(Double(offset + start) / rate * 1e9), operating: operating) { event in
                        if let line = MaintenanceEvent(event, episodes: &episodes, channel: channel, block: block, operating: operating) {
                            lines.append(("\(line.kind)", line.verdict))
                        }
                    }
                }
            }
        }
        #expect(lines.map(\.kind) == ["baseline_learnt", "maintenance_alarm"], "\(lines)")
        #expect(lines.last?.verdict == .outerRace)
    }
}

@Suite("Machine health")
struct MachineHealthTests {
    func result(velocity: Double, rms: Double, kurtosis: Double, crest: Double) -> WindowAnalyzer.Result {
        var features = [Float](repeating: 0, count: 8).withUnsafeBufferPointer { Features($0) }
        features.rms = rms
        features.kurtosis = kurtosis
        features.crestFactor = crest
        return WindowAnalyzer.Result(features: features, velocityRMS: velocity, velocityBand: 10...1000, zone: .a,
                                     runningSpeed: nil, verdict: .none, verdictScore: 0)
    }

    /// Learn on a healthy machine, stay quiet on normal windows and while stopped, raise the
    /// anomaly alarm when the machine changes, warn at the B/C boundary, and give the time left
    /// to C/D from the trend. Maintenance starts over.
    @Test func lifecycle() throws {
        var health = MachineHealth(MachineHealth.Configuration(severity: .iso10816part3(group: .two, support: .rigid)))
        let noise = Signals.noise(count: 40_000, sigma: 1, seed: 17).map(Double.init)
        var events: [(Double, MachineHealth.Event)] = []
        var clock = ManualClock()
        let running = OperatingState(running: true, speedHz: 25)
        func window(_ index: Int, velocity: Double, operating: OperatingState = OperatingState(running: true, speedHz: 25)) {
            let r = result(velocity: velocity + 0.05 * noise[4 * index], rms: 0.5 + 0.01 * noise[4 * index + 1],
                           kurtosis: 3 + 0.1 * noise[4 * index + 2], crest: 3.5 + 0.1 * noise[4 * index + 3])
            let time = clock.advance(by: 1)
            health.add(r, at: time, operating: operating) { events.append((time, $0)) }
        }
        for index in 0..<200 { window(index, velocity: 2) }
        #expect(events.count == 1 && events[0].1 == .baselineLearnt)
        for index in 200..<500 { window(index, velocity: 2) }
        #expect(events.count == 1, "normal windows raise nothing: \(events.dropFirst().map(\.1))")
        #expect(health.lastAnomalyScore! < 4)
        for index in 500..<600 { window(index, velocity: 9, operating: OperatingState(running: false)) }
        #expect(events.count == 1, "silent while stopped")
        // Wear: velocity rises 1 mm/s per hour from 2 mm/s.
        for index in 600..<9_000 { window(index, velocity: 2 + Double(index - 600) / 3600, operating: running) }
        let anomaly = try #require(events.first { if case .anomaly = $0.1 { true } else { false } })
        #expect(anomaly.0 < 600 + 600, "the anomaly alarm comes within ten minutes of wear starting")
        let warning = try #require(events.first { if case .velocity(let e) = $0.1 { e.level == .warning } else { false } })
        // The mean crosses 2.8 mm/s 0.8 h into the ramp. With 0.05 mm/s of noise, 3 of 5 windows
        // may pass it a few minutes early (within 2 sigma); persistence delays it by a few windows.
        let crossing = 600 + 0.8 * 3600
        #expect(warning.0 > crossing - 360 && warning.0 < crossing + 60, "warning at \(warning.0) s, crossing at \(crossing) s")
        // At 4.33 mm/s, C/D (4.5) is about 0.17 h away.
        let life = try #require(health.remainingLife(now: clock.seconds))
        let expected = (4.5 - (2 + Double(8_999 - 600) / 3600)) * 3600
        #expect((life.seconds - expected).magnitude < 0.2 * expected + 120, "\(life) vs \(expected) s")
        #expect(life.lowerSeconds <= life.seconds && life.seconds <= life.upperSeconds)
        health.maintenancePerformed()
        #expect(health.baseline.state == .learning(collected: 0, needed: 200))
        #expect(health.velocityTrend == nil)
    }
}

/// Alarm episodes on any sequence of levels: one alarm and one all-clear per episode.
@Suite("Alarm episodes")
struct AlarmEpisodeTests {
    @Test func oneAlarmAndOneClearPerEpisode() {
        var episodes = AlarmEpisodes()
        #expect(episodes.update(.velocity, to: .warning) == nil)
        #expect(episodes.update(.velocity, to: .alarm) == .opened(indicator: .velocity))
        #expect(episodes.update(.anomaly, to: .alarm) == nil, "already open")
        #expect(episodes.update(.velocity, to: .normal) == nil, "anomaly still at alarm")
        #expect(episodes.update(.anomaly, to: .warning) == nil, "not normal yet")
        #expect(episodes.worst == .warning && episodes.isOpen)
        #expect(episodes.update(.anomaly, to: .normal) == .cleared)
        #expect(episodes.update(.anomaly, to: .alarm) == .opened(indicator: .anomaly))
    }

    /// Random walks of both levels: opens and clears alternate, opened only at alarm, cleared only when both are normal.
    @Test func randomWalksAlternate() {
        var state: UInt64 = 0xA1A2
        var episodes = AlarmEpisodes()
        var opens = 0, clears = 0
        for step in 0..<10_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let indicator: AlarmEpisodes.Indicator = state >> 63 == 0 ? .velocity : .anomaly
            let level = AlarmLevel(rawValue: Int((state >> 40) % 3))!
            switch episodes.update(indicator, to: level) {
            case .opened?: opens += 1; #expect(episodes.worst == .alarm && opens == clears + 1, "seed 0xA1A2 step \(step)")
            case .cleared?: clears += 1; #expect(episodes.worst == .normal && opens == clears, "seed 0xA1A2 step \(step)")
            case nil: #expect(episodes.isOpen == (opens > clears), "seed 0xA1A2 step \(step)")
            }
        }
        #expect(opens > 100)
    }
}
