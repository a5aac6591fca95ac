import EdgeIO
import Glibc
import JSONText
import PredictiveMaintenance

/// One vibration channel: samples (simulated, or read from a file or FIFO at the sample rate)
/// through the channel's windows and the machine's health; the operating state and speed come
/// from the point store. The learnt baseline is kept in the outputs directory and taken up again
/// after a restart (delete `baselines/CHANNEL.json` to learn it again, after maintenance).
/// Alarms become events: one `maintenance_alarm` when the machine's first indicator reaches
/// alarm, one `maintenance_cleared` when all are back to normal.
struct MaintenanceUnit {
    let channel: Site.MaintenanceChannel
    let context: DaemonContext
    /// Seconds without a frame after which a source counts as stopped.
    static let silentAfter = 3.0

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        let frame = 4096
        var configuration = WindowAnalyzer.Configuration(sampleRate: channel.sampleRate, frameLength: frame)
        configuration.severity = .iso10816part3(group: channel.machineGroup, support: channel.support)
        configuration.bearing = channel.bearing
        let analyzer = VibrationChannel(configuration, hop: frame)
        // The baseline learnt before a restart, if the channel is configured as it was then.
        let journal = StateJournal<Baseline>(directory: context.stateDirectory, kind: "baselines", name: channel.name,
                                             key: String(describing: channel))
        if let saved = journal.load(), saved.state == .active, analyzer.resume(baseline: saved) {
            context.machines.withLockedValue { $0[channel.name, default: MachineCondition()].baselineLearnt = true }
            context.event("baseline_restored", source: channel.name) { w in w.key("path"); w.string(journal.path) }
        }
        context.store.define([
            PointDefinition(name: "\(channel.name).velocity_rms", datatype: .double, unit: "mm/s", device: channel.name, reportsQuality: false),
            PointDefinition(name: "\(channel.name).kurtosis", datatype: .double, device: channel.name, reportsQuality: false),
        ])
        var samples = SampleSource(channel, frame: frame)
        var episodes = AlarmEpisodes()
        let start = monotonicSeconds()
        var produced = 0
        // A source that fails or stops is a device fault, reported once, until samples come again.
        var lastSamples = monotonicSeconds(), fault: String?
        func report(_ cause: BadCause, _ reason: String) {
            guard fault == nil else { return }
            fault = reason
            context.event("device_fault", source: channel.name) { w in w.key("reason"); w.string(reason) }
            context.logger.error("\(channel.name): \(reason)")
            for point in ["velocity_rms", "kurtosis"] {
                context.store.update("\(channel.name).\(point)", nil, quality: .bad(cause, reason: reason), at: monotonicSeconds())
            }
        }
        while !shouldStop() {
            let block: [Float]
            switch samples.next() {
            case .success(let frame): block = frame
            case .failure(.failed(let reason)):
                report(.unavailable, reason)
                usleep(1_000_000)   // opened again each second: a FIFO or a mount may come
                continue
            case .failure(.waiting):
                let waited = monotonicSeconds() - lastSamples
                if waited >= Self.silentAfter { report(.noSignal, "no samples from \(samples.name) for \(format(waited, 1)) s") }
                usleep(100_000)
                continue
            }
            lastSamples = monotonicSeconds()
            if fault != nil {
                fault = nil
                context.event("device_up", source: channel.name)
            }
            // Real time (times the speed-up): wait until this block's samples exist.
            produced += block.count
            let due = start + Double(produced) / (channel.sampleRate * samples.speedup)
            let wait = due - monotonicSeconds()
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
            let operating = OperatingState(running: running(channel, context), speedHz: speed(channel, context))
            let timestamp = Int64(Double(produced - block.count) / channel.sampleRate * 1e9)
            var learnt = false
            block.withUnsafeBufferPointer { buffer in
                analyzer.process(buffer, at: timestamp, operating: operating) { event in
                    switch event {
                    case .window(let result):
                        context.machines.withLockedValue {
                            $0[channel.name, default: MachineCondition()].velocityRMS = result.velocityRMS
                            $0[channel.name]!.zone = configuration.severity.zone(velocityRMS: result.velocityRMS)
                        }
                        context.store.update("\(channel.name).velocity_rms", .double(result.velocityRMS), quality: .good, at: monotonicSeconds())
                        context.store.update("\(channel.name).kurtosis", .double(result.features.kurtosis), quality: .good, at: monotonicSeconds())
                    case .health(.baselineLearnt):
                        context.machines.withLockedValue { $0[channel.name, default: MachineCondition()].baselineLearnt = true }
                        learnt = true   // saved once the channel's health is no longer being updated
                    case .gap, .health:
                        break
                    }
                    let line = MaintenanceEvent(event, episodes: &episodes, channel: analyzer, block: buffer, operating: operating)
                    if case .health = event { context.machines.withLockedValue { $0[channel.name, default: MachineCondition()].level = episodes.worst } }
                    guard let line else { return }
                    context.event(line.kind, source: channel.name, line.fields)
                    if let verdict = line.verdict { context.logger.warning("\(channel.name): maintenance alarm (\(verdict.rawValue))") }
                }
            }
            if learnt {
                do throws(EdgeNodeError) { try journal.save(analyzer.health.baseline) } catch {
                    context.logger.error("\(channel.name): \(error.message); a restart would learn the baseline again")
                }
            }
        }
    }

    private func running(_ channel: Site.MaintenanceChannel, _ context: DaemonContext) -> Bool {
        guard let input = channel.operatingState else { return true }
        guard let value = context.store.goodValue(input.storeName) else { return false }
        return value != 0
    }

    private func speed(_ channel: Site.MaintenanceChannel, _ context: DaemonContext) -> Double? {
        switch channel.speed {
        case .nominal(let hertz): return hertz
        case .input(let input):
            guard let value = context.store.goodValue(input.storeName) else { return nil }
            // GPIO pulse lines are in rpm; Modbus speed points are taken as Hz.
            if case .gpio = input { return value / 60 }
            return value
        }
    }
}
