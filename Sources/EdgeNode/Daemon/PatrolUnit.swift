import JSONText
import EdgeIO
import NMEAParser
import PatrolAgent
import PatrolRuntime

/// The BeiDou receiver and the site's patrols on its fixes; inspections read the point store. A
/// patrol whose route is unchanged resumes where the previous unit left it (after a reload that
/// changed the receiver), so no checkpoint is decided twice; after a restart, a crash or a power
/// cut, an unfinished patrol resumes from its journal (saved after each fix that gave events, so
/// only a crash between an event and its journal, microseconds, could report that event again).
struct PatrolUnit {
    let receiver: Site.Receiver
    let patrols: [Site.Patrol]
    let context: DaemonContext

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        let service = GNSSReceiverService(path: receiver.port, profile: receiver.profile)
        // The fix quality (GGA's 0-8); the receiver reports its own faults.
        context.store.define([PointDefinition(name: "gnss.quality", datatype: .int64, device: "gnss", reportsQuality: false)])
        let saved = context.patrolSnapshots.withLockedValue { snapshots in
            defer { snapshots.removeAll() }
            return snapshots
        }
        let journals = patrols.map {
            StateJournal<PatrolSnapshot>(directory: context.stateDirectory, kind: "patrols", name: $0.route.route.name,
                                         key: String(describing: $0.route.route))
        }
        var agents = patrols.indices.map { index in
            let route = patrols[index].route.route
            let reader = StoreReader(store: context.store)
            if let earlier = saved[route.name], earlier.route == route { return PatrolAgent(route: route, reader: reader, resuming: earlier.snapshot) }
            if let snapshot = journals[index].load() {
                let agent = PatrolAgent(route: route, reader: reader, resuming: snapshot)
                if !agent.isComplete {
                    context.event("patrol_resumed", source: route.name) { w in
                        w.key("next"); if let next = agent.currentCheckpoint?.name { w.string(next) } else { w.raw("null") }
                        w.key("visited"); w.integer(agent.summary.visited); w.key("missed"); w.integer(agent.summary.missed)
                    }
                    return agent
                }
            }
            return PatrolAgent(route: route, reader: reader)
        }
        var journalFailed = false
        func saveJournal(_ index: Int) {
            do {
                if agents[index].isComplete { journals[index].remove() } else { try journals[index].save(agents[index].snapshot) }
            } catch {
                context.count("patrol_journal_failures")
                if !journalFailed { context.logger.error("\(error.message); a restart would begin the patrol again") }
                journalFailed = true
            }
        }
        defer {
            for index in agents.indices { saveJournal(index) }
            context.patrolSnapshots.withLockedValue { snapshots in for agent in agents { snapshots[agent.route.name] = (agent.route, agent.snapshot) } }
        }
        context.patrols.withLockedValue { progress in for agent in agents { progress[agent.route.name] = PatrolProgress(agent) } }
        var finished = Set(agents.indices.filter { agents[$0].isComplete })
        /// The agents' clock moved to `time`, and `fix` given them when the epoch had a position.
        func advance(to time: Double, with fix: PatrolFix?) {
            for index in agents.indices where !finished.contains(index) {
                var writer = JSONWriter(capacity: 4096)
                let route = patrols[index].route.route
                PatrolEvents.advance(&agents[index], to: time, with: fix, writing: &writer)
                if !writer.bytes.isEmpty {
                    writer.withBytes { context.events.append($0) }
                    context.count("events", by: writer.bytes.count { $0 == 10 })
                    saveJournal(index)
                }
                context.patrols.withLockedValue { $0[route.name] = PatrolProgress(agents[index]) }
                if agents[index].isComplete { finished.insert(index) }
            }
        }
        var clock = PatrolClock()
        /// The receiver gives no epochs (silent, stalled, gone): its point goes bad with `reason`,
        /// and the patrols' clock moves on without it.
        func receiverDown(_ cause: BadCause, _ reason: String) {
            context.store.update("gnss.quality", nil, quality: .bad(cause, reason: reason), at: monotonicSeconds())
            guard let time = clock.receiverTime(at: monotonicSeconds()) else { return }
            advance(to: time, with: nil)
        }
        service.run(shouldStop: shouldStop) { event in
            switch event {
            case .epoch(let fix, _):
                context.count("gnss_epochs")
                context.store.update("gnss.quality", .int64(Int64(fix.quality.rawValue)), quality: .good, at: monotonicSeconds())
                guard let time = PatrolEvents.patrolTime(fix) else { return }
                clock.epoch(receiverTime: time, at: monotonicSeconds())
                advance(to: time, with: PatrolEvents.patrolFix(fix))
            case .opened(let path):
                context.event("device_up", source: "gnss") { w in w.key("port"); w.string(path) }
            case .silent(let seconds):
                let reason = "silent for \(format(seconds, 1)) s"
                context.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason) }
                receiverDown(.silent, reason)
            case .stalled(let seconds, let stall):
                let reason = "no epoch for \(format(seconds, 1)) s: \(stall.detail(port: receiver.port))"
                let remedy = stall.remedy(receiver.profile, path: receiver.profilePath)
                context.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason); w.key("remedy"); w.string(remedy) }
                context.logger.warning("gnss: \(reason); \(remedy)")
                receiverDown(.silent, reason)
            case .resumed:
                context.event("device_up", source: "gnss")
            case .unavailable(let reason, let retry):
                context.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason); w.key("retry_in"); w.fixed(retry, decimals: 1) }
                context.logger.error("gnss: \(reason); retrying in \(retry) s")
                receiverDown(.unavailable, reason)
            }
        }
    }
}
