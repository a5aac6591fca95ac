import EdgeIO
import Glibc
import Logging
import Metrics
import NMEAParser
import PatrolAgent
import PredictiveMaintenance
import Prometheus
import ServiceLifecycle
import Synchronization

/// The latest value of every point on the site (`device.point`, `board.line`), for inspections
/// and the status report.
public final class PointStore: Sendable {
    public struct Entry: Sendable, Equatable {
        public var value: Double?
        /// "good", or why not.
        public var quality: String
        /// Monotonic seconds.
        public var time: Double

        /// Whether the value can be used.
        public var isGood: Bool { quality == "good" }
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    public func update(_ name: String, value: Double?, quality: String, time: Double) {
        entries.withLock { $0[name] = Entry(value: value, quality: quality, time: time) }
    }

    public subscript(_ name: String) -> Entry? { entries.withLock { $0[name] } }

    /// The point's value when it is good, else nil.
    public func goodValue(_ name: String) -> Double? {
        guard let entry = self[name], entry.isGood else { return nil }
        return entry.value
    }

    /// How many points a device or board has in `points` (`name.*`), and how many of them are not good.
    public static func tally(_ points: [String: Entry], under name: String) -> (points: Int, notGood: Int) {
        let own = points.filter { $0.key.hasPrefix(name + ".") }
        return (own.count, own.values.count(where: { !$0.isGood }))
    }

    /// Forgets the points of one device or board (`name.*`).
    public func removeAll(under name: String) {
        entries.withLock { entries in entries = entries.filter { !$0.key.hasPrefix(name + ".") } }
    }

    public var all: [String: Entry] { entries.withLock { $0 } }
}

/// Inspection reads at checkpoints: the latest good value, no older than `maximumAge` seconds.
struct StoreReader: InspectionReader {
    let store: PointStore
    var maximumAge = 10.0

    func read(_ point: String) -> Result<Double, InspectionFailure> {
        guard let entry = store[point] else { return .failure(InspectionFailure("no value yet for \(point)")) }
        guard entry.isGood, let value = entry.value else { return .failure(InspectionFailure("\(point) is \(entry.quality)")) }
        guard monotonicSeconds() - entry.time <= maximumAge else { return .failure(InspectionFailure("\(point) is stale")) }
        return .success(value)
    }
}

/// A patrol's progress as the status report shows it.
struct PatrolProgress: Sendable {
    var checkpoints: Int
    var summary: PatrolSummary
    var next: String?
    var positionsTrusted: Bool
    var complete: Bool

    init(_ agent: PatrolAgent<StoreReader>) {
        checkpoints = agent.route.checkpoints.count
        summary = agent.summary
        next = agent.currentCheckpoint?.name
        positionsTrusted = agent.isGeometryTrusted
        complete = agent.isComplete
    }
}

/// A machine's health as the status report shows it.
struct MachineCondition: Sendable {
    var velocityRMS: Double?
    var zone: SeverityZone?
    var baselineLearnt = false
    var level = AlarmLevel.normal
}

/// Where the daemon's services write: the event log (JSON Lines) and the log.
final class DaemonContext: Sendable {
    private let currentSite: Mutex<Site>
    let events: EventLog
    /// Where state that outlives the process goes (the outputs directory: patrol journals and
    /// machine baselines).
    let stateDirectory: String
    let store = PointStore()
    let logger: Logger
    let counters = Mutex<[String: Int]>([:])
    private let metrics = Mutex<[String: Metrics.Counter]>([:])
    /// Each patrol's progress by route name, and each machine's health by channel name, for the
    /// status report.
    let patrols = Mutex<[String: PatrolProgress]>([:])
    let machines = Mutex<[String: MachineCondition]>([:])
    /// Each patrol's state when its unit last stopped, by route name: a restarted unit (a reload
    /// that changed the receiver) resumes a patrol whose route is unchanged.
    let patrolSnapshots = Mutex<[String: (route: Route, snapshot: PatrolSnapshot)]>([:])

    init(site: Site, events: EventLog, stateDirectory: String, logger: Logger) {
        currentSite = Mutex(site)
        self.events = events
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// The site as last loaded (at start, or by a reload).
    var site: Site { currentSite.withLock { $0 } }

    func replaceSite(_ site: Site) { currentSite.withLock { $0 = site } }

    /// One event line: `{"event": kind, "source": source, "t": UTC, ...fields}`.
    func event(_ kind: StaticString, source: String, _ fields: (inout JSONWriter) -> Void = { _ in }) {
        var w = JSONWriter(capacity: 512)
        w.raw("{\"event\":\""); w.raw(kind); w.raw("\",\"source\":"); w.string(source)
        let now = utcNow()
        w.key("utc"); w.timestamp(date: now.date, time: now.time)
        fields(&w)
        w.raw("}\n")
        w.withBytes { events.append($0) }
        count("events")
    }

    /// Drops what a stopped unit left: its points, its patrols' progress or its machine's health.
    func forget(_ unit: SiteUnit) {
        store.removeAll(under: unit.name)
        switch unit {
        case .patrols: patrols.withLock { $0.removeAll() }
        case .maintenance(let channel): _ = machines.withLock { $0.removeValue(forKey: channel.name) }
        case .modbus, .gpio: break
        }
    }

    /// Counts for the status report and, through swift-metrics, for Prometheus (`edge_node_NAME_total`).
    func count(_ name: String, by amount: Int = 1) {
        counters.withLock { $0[name, default: 0] += amount }
        // Each metric made once: making one goes through the factory and the registry's lock.
        let metric = metrics.withLock { metrics in
            if let made = metrics[name] { return made }
            let made = Counter(label: "edge_node_\(name)_total")
            metrics[name] = made
            return made
        }
        metric.increment(by: amount)
    }
}

/// The current UTC date and time, from the realtime clock.
func utcNow() -> (date: CalendarDate, time: TimeOfDay) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let seconds = Int(now.tv_sec), ofDay = seconds % 86_400
    return (CalendarDate(daysSinceEpoch: seconds / 86_400),
            TimeOfDay(hour: ofDay / 3600, minute: ofDay / 60 % 60, second: ofDay % 60, nanosecond: Int(now.tv_nsec)))
}

/// One part of the site, run on a thread of its own: a Modbus device, a GPIO board, the receiver
/// with the patrols, a maintenance channel. A reload compares them to see what changed.
enum SiteUnit: Equatable, Sendable {
    case modbus(Site.ModbusDevice)
    case gpio(Site.GPIOBoard)
    case patrols(Site.Receiver, [Site.Patrol])
    case maintenance(Site.MaintenanceChannel)

    /// Every unit of the site, in start order: the sources before what reads them.
    static func all(of site: Site) -> [SiteUnit] {
        site.modbus.map { .modbus($0) } + site.gpio.map { .gpio($0) } + (site.gnss.map { [.patrols($0, site.patrols)] } ?? [])
            + site.maintenance.map { .maintenance($0) }
    }

    /// The name its points and events go under.
    var name: String {
        switch self {
        case .modbus(let device): device.name
        case .gpio(let board): board.name
        case .patrols: "gnss"
        case .maintenance(let channel): channel.name
        }
    }

    /// Runs until `shouldStop` says so (checked often).
    func run(_ context: DaemonContext, shouldStop: @escaping @Sendable () -> Bool) {
        switch self {
        case .modbus(let device): ModbusDeviceUnit(device: device, context: context).run(shouldStop)
        case .gpio(let board): GPIOBoardUnit(board: board, context: context).run(shouldStop)
        case .patrols(let receiver, let patrols): PatrolUnit(receiver: receiver, patrols: patrols, context: context).run(shouldStop)
        case .maintenance(let channel): MaintenanceUnit(channel: channel, context: context).run(shouldStop)
        }
    }
}

/// A unit running on its thread, stopped on its own (a reload) or with the daemon.
final class RunningUnit: Sendable {
    let unit: SiteUnit
    private let stopRequested = StopFlag()
    private let finished: Task<Void, Never>

    init(_ unit: SiteUnit, _ context: DaemonContext) {
        self.unit = unit
        let stopRequested = stopRequested
        finished = Task {
            await withUnsafeContinuation { (done: UnsafeContinuation<Void, Never>) in
                ServiceThread(name: unit.name) {
                    unit.run(context) { stopRequested.isSet }
                    done.resume()
                }.start()
            }
        }
    }

    /// Asks the unit to stop and waits until its thread has finished.
    func stop() async {
        stopRequested.set()
        await finished.value
    }
}

/// Polls one Modbus device of the site; its points go to the store, quality changes to the events.
struct ModbusDeviceUnit {
    let device: Site.ModbusDevice
    let context: DaemonContext

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        let poller = ModbusPoller(profile: device.profile)
        var qualities: [String: String] = [:]
        let reported = Set(device.profile.units.flatMap(\.points).filter { point in
            if point.deadband != nil || point.writable || point.table.isBits { return true }
            if case .bit = point.type { return true }
            return false
        }.map(\.name))
        poller.run(shouldStop: shouldStop) { report in
            context.count("modbus_requests", by: report.requests)
            for reading in report.readings {
                let quality = reading.quality.description
                let kind = reading.quality.kind
                let name = "\(device.name).\(reading.point)"
                context.store.update(name, value: reading.value?.doubleValue, quality: quality, time: reading.timestamp)
                // Value changes of the points that matter one by one: states, setpoints, and
                // those with a deadband (moved beyond it).
                if reading.changed, kind == "good", qualities[name] == "good", let value = reading.value?.doubleValue, reported.contains(reading.point) {
                    context.event("point_changed", source: name) { w in
                        w.key("value"); w.fixed(value, decimals: 6)
                        w.key("age_ms"); w.fixed((monotonicSeconds() - reading.timestamp) * 1000, decimals: 3)
                    }
                }
                if qualities[name] != kind {
                    if qualities[name] != nil || kind != "good" {
                        context.event("point_quality", source: name) { w in
                            w.key("quality"); w.string(quality)
                            if let value = reading.value?.doubleValue { w.key("value"); w.fixed(value, decimals: 6) }
                        }
                        if kind != "good" { context.logger.warning("\(name): \(quality)") }
                    }
                    qualities[name] = kind
                }
            }
        }
    }
}

/// Watches one GPIO board: states and pulse rates to the store, changes to the events. A chip
/// that is missing is retried with backoff and reported, never stopping the daemon.
struct GPIOBoardUnit {
    let board: Site.GPIOBoard
    let context: DaemonContext

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        var backoff = 0.5
        while !shouldStop() {
            do throws(EdgeNodeError) {
                try watch(board, context, shouldStop)
            } catch {
                context.event("device_fault", source: board.name) { w in w.key("reason"); w.string(error.message); w.key("retry_in"); w.fixed(backoff, decimals: 1) }
                context.logger.error("\(board.name): \(error.message); retrying in \(backoff) s")
                let until = monotonicSeconds() + backoff
                while !shouldStop() && monotonicSeconds() < until { usleep(50_000) }
                backoff = min(30, backoff * 2)
            }
        }
    }

    private func watch(_ board: Site.GPIOBoard, _ context: DaemonContext, _ shouldStop: () -> Bool) throws(EdgeNodeError) {
        let (chip, scenario) = try GPIOCommands.open(board.chip)
        let loop = GPIOEventLoop()
        final class Inbox { var events: [(index: Int, event: EdgeEvent)] = []; var now: Int64 = 0 }
        let inbox = Inbox()
        var states: [DebouncedState] = [], rates: [PulseRate] = []
        for (index, line) in board.lines.enumerated() {
            let input: any GPIOInput
            do {
                input = try chip.input(line.line, consumer: "edge-node", bias: line.bias, activeLow: line.activeLow, edges: .both)
                states.append(DebouncedState(settle: Int64(line.debounceMilliseconds * 1e6), initial: try input.value()))
            } catch { throw .runtime("\(board.name).\(line.name): \(error)") }
            rates.append(PulseRate(pulsesPerRevolution: line.pulsesPerRevolution))
            loop.watch(input) { inbox.events.append((index, $0)) }
            context.store.update("\(board.name).\(line.name)", value: states[index].level ? 1 : 0, quality: "good", time: monotonicSeconds())
        }
        loop.onTick = { inbox.now = $0 }
        var nextRate = monotonicSeconds() + 1
        while !shouldStop() {
            // Sleep until an edge, a pending debounce settling, the twin's next scripted edge, or 50 ms.
            let now = Int64(monotonicSeconds() * 1e9)
            var wake = now + 50_000_000
            if let scenario { wake = min(wake, scenario.advance(to: now)) }
            for state in states { if let settles = state.settlesAt { wake = min(wake, settles) } }
            do { try loop.runOnce(timeout: Double(max(0, wake - now)) / 1e9) } catch { throw .runtime("\(board.name): \(error)") }
            for (index, event) in inbox.events {
                if event.edge == .rising { rates[index].pulse(at: event.timestamp) }
                if board.lines[index].kind == .state, let change = states[index].edge(event) { report(board, index, change, context) }
            }
            inbox.events.removeAll(keepingCapacity: true)
            for index in board.lines.indices where board.lines[index].kind == .state {
                if let change = states[index].settle(now: inbox.now) { report(board, index, change, context) }
            }
            guard monotonicSeconds() >= nextRate else { continue }
            nextRate += 1
            for index in board.lines.indices where board.lines[index].kind == .pulses {
                let quality = rates[index].quality(now: inbox.now)
                let good = quality == .good
                context.store.update("\(board.name).\(board.lines[index].name)", value: good ? rates[index].shaftRPM : nil,
                                     quality: good ? "good" : "bad: no pulses", time: monotonicSeconds())
            }
        }
    }

    private func report(_ board: Site.GPIOBoard, _ index: Int, _ change: DebouncedState.Change, _ context: DaemonContext) {
        let name = "\(board.name).\(board.lines[index].name)"
        context.store.update(name, value: change.level ? 1 : 0, quality: "good", time: monotonicSeconds())
        context.event("state", source: name) { w in
            w.key("level"); w.integer(change.level ? 1 : 0)
            // From the edge that settled it (kernel or simulated clock) to this record.
            w.key("edge_age_ms"); w.fixed(Double(Int64(monotonicSeconds() * 1e9) - change.timestamp) / 1e6, decimals: 3)
        }
    }
}

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
        let saved = context.patrolSnapshots.withLock { snapshots in
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
            context.patrolSnapshots.withLock { snapshots in for agent in agents { snapshots[agent.route.name] = (agent.route, agent.snapshot) } }
        }
        context.patrols.withLock { progress in for agent in agents { progress[agent.route.name] = PatrolProgress(agent) } }
        var finished = Set(agents.indices.filter { agents[$0].isComplete })
        /// The agents' clock moved to `time`, and `fix` given them when the epoch had a position.
        func advance(to time: Double, with fix: PatrolFix?) {
            for index in agents.indices where !finished.contains(index) {
                var writer = JSONWriter(capacity: 4096)
                let route = patrols[index].route.route
                agents[index].tick(now: time) { PatrolCommands.writeEvent($0, route: route, into: &writer) }
                if let fix { agents[index].ingest(fix) { PatrolCommands.writeEvent($0, route: route, into: &writer) } }
                if !writer.bytes.isEmpty {
                    writer.withBytes { context.events.append($0) }
                    context.count("events", by: writer.bytes.count { $0 == 10 })
                    saveJournal(index)
                }
                context.patrols.withLock { $0[route.name] = PatrolProgress(agents[index]) }
                if agents[index].isComplete { finished.insert(index) }
            }
        }
        // The receiver's clock, carried on by the monotonic one when epochs stop coming, so that
        // the patrols learn their positions are stale.
        var lastEpochTime: (receiver: Double, monotonic: Double)?
        /// The receiver gives no epochs (silent, stalled, gone): its point goes bad with `reason`,
        /// and the patrols' clock moves on without it.
        func receiverDown(_ reason: String) {
            context.store.update("gnss.quality", value: nil, quality: "bad: \(reason)", time: monotonicSeconds())
            guard let last = lastEpochTime else { return }
            advance(to: last.receiver + monotonicSeconds() - last.monotonic, with: nil)
        }
        service.run(shouldStop: shouldStop) { event in
            switch event {
            case .epoch(let fix, _):
                context.count("gnss_epochs")
                context.store.update("gnss.quality", value: Double(fix.quality.rawValue), quality: "good", time: monotonicSeconds())
                guard let time = PatrolCommands.patrolTime(fix) else { return }
                lastEpochTime = (time, monotonicSeconds())
                advance(to: time, with: PatrolCommands.patrolFix(fix))
            case .opened(let path):
                context.event("device_up", source: "gnss") { w in w.key("port"); w.string(path) }
            case .silent(let seconds):
                let reason = "silent for \(format(seconds, 1)) s"
                context.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason) }
                receiverDown(reason)
            case .stalled(let seconds, let stall):
                let reason = "no epoch for \(format(seconds, 1)) s: \(stall.detail(port: receiver.port))"
                let remedy = stall.remedy(receiver.profile, path: receiver.profilePath)
                context.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason); w.key("remedy"); w.string(remedy) }
                context.logger.warning("gnss: \(reason); \(remedy)")
                receiverDown(reason)
            case .resumed:
                context.event("device_up", source: "gnss")
            case .unavailable(let reason, let retry):
                context.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason); w.key("retry_in"); w.fixed(retry, decimals: 1) }
                context.logger.error("gnss: \(reason); retrying in \(retry) s")
                receiverDown(reason)
            }
        }
    }
}

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
            context.machines.withLock { $0[channel.name, default: MachineCondition()].baselineLearnt = true }
            context.event("baseline_restored", source: channel.name) { w in w.key("path"); w.string(journal.path) }
        }
        var samples = SampleSource(channel, frame: frame)
        var levels = (velocity: AlarmLevel.normal, anomaly: AlarmLevel.normal)
        var alarmed = false
        let start = monotonicSeconds()
        var produced = 0
        // A source that fails or stops is a device fault, reported once, until samples come again.
        var lastSamples = monotonicSeconds(), fault: String?
        func report(_ reason: String) {
            guard fault == nil else { return }
            fault = reason
            context.event("device_fault", source: channel.name) { w in w.key("reason"); w.string(reason) }
            context.logger.error("\(channel.name): \(reason)")
            for point in ["velocity_rms", "kurtosis"] {
                context.store.update("\(channel.name).\(point)", value: nil, quality: "bad: \(reason)", time: monotonicSeconds())
            }
        }
        while !shouldStop() {
            let block: [Float]
            switch samples.next() {
            case .success(let frame): block = frame
            case .failure(.failed(let reason)):
                report(reason)
                usleep(1_000_000)   // opened again each second: a FIFO or a mount may come
                continue
            case .failure(.waiting):
                let waited = monotonicSeconds() - lastSamples
                if waited >= Self.silentAfter { report("no samples from \(samples.name) for \(format(waited, 1)) s") }
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
                        context.machines.withLock {
                            $0[channel.name, default: MachineCondition()].velocityRMS = result.velocityRMS
                            $0[channel.name]!.zone = configuration.severity.zone(velocityRMS: result.velocityRMS)
                        }
                        context.store.update("\(channel.name).velocity_rms", value: result.velocityRMS, quality: "good", time: monotonicSeconds())
                        context.store.update("\(channel.name).kurtosis", value: result.features.kurtosis, quality: "good", time: monotonicSeconds())
                    case .gap(let missing):
                        context.event("sample_gap", source: channel.name) { w in w.key("missing_samples"); w.integer(missing) }
                    case .health(.baselineLearnt):
                        context.machines.withLock { $0[channel.name, default: MachineCondition()].baselineLearnt = true }
                        context.event("baseline_learnt", source: channel.name)
                        learnt = true   // saved once the channel's health is no longer being updated
                    case .health(.velocity(let alarm)), .health(.anomaly(let alarm)):
                        if case .health(.velocity) = event { levels.velocity = alarm.level } else { levels.anomaly = alarm.level }
                        let worst = max(levels.velocity, levels.anomaly)
                        context.machines.withLock { $0[channel.name, default: MachineCondition()].level = worst }
                        if worst == .alarm && !alarmed {
                            alarmed = true
                            let diagnosis = analyzer.analyzer.analyze(buffer)
                            context.event("maintenance_alarm", source: channel.name) { w in
                                w.key("indicator"); w.string(levels.anomaly == .alarm ? "anomaly" : "velocity")
                                w.key("value"); w.fixed(alarm.value, decimals: 3)
                                w.key("velocity_rms_mm_s"); w.fixed(diagnosis.velocityRMS, decimals: 3)
                                w.key("zone"); w.string(diagnosis.zone.rawValue)
                                w.key("bearing_verdict"); w.string(diagnosis.verdict.rawValue)
                            }
                            context.logger.warning("\(channel.name): maintenance alarm (\(diagnosis.verdict.rawValue))")
                        } else if worst == .normal && alarmed {
                            alarmed = false
                            context.event("maintenance_cleared", source: channel.name)
                        }
                    }
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

extension Site.Input {
    /// The point store's name for it.
    var storeName: String {
        switch self {
        case .modbus(let device, let point): "\(device).\(point)"
        case .gpio(let board, let line): "\(board).\(line)"
        }
    }
}

/// Where a maintenance channel's samples come from, one analysis frame at a time.
struct SampleSource {
    let speedup: Double
    /// The simulated machine, generated frame by frame (constant memory), and when its fault starts.
    private var machine: SyntheticVibration.Stream?
    private var developsAfter = 0.0
    private var file: BlockReader?
    private let format: VibrationCommands.SampleFormat
    private let frame: Int

    /// The simulated pump turns at the rate of the simulated board's tachometer; its bearing, when
    /// the site names none.
    static let simulatedShaftHz = PlantGPIOScenario.tachHz
    static let simulatedBearing = BearingGeometry(rollingElements: 8, elementDiameter: 7.94, pitchDiameter: 39.04)

    init(_ channel: Site.MaintenanceChannel, frame: Int) {
        self.frame = frame
        switch channel.source {
        case .simulated(let fault, let after, let speedup):
            self.speedup = speedup
            developsAfter = after
            format = .f32le
            machine = SyntheticVibration.Stream(SyntheticVibration(sampleRate: channel.sampleRate, shaftHz: Self.simulatedShaftHz,
                                                                  bearing: channel.bearing ?? Self.simulatedBearing, fault: fault))
        case .file(let path, let format):
            speedup = 1
            self.format = format
            file = BlockReader(path: path)
        }
    }

    /// The next frame of samples, or why there is none yet.
    mutating func next() -> Result<[Float], SourceWait> {
        if let file {
            let size = format == .s16le ? 2 : 4
            switch file.read(frame * size) {
            case .waiting: return .failure(.waiting)
            case .failed(let reason): return .failure(.failed(reason))
            case .block(let data):
                return .success(data.withUnsafeBytes { raw in
                    (0..<frame).map { index in
                        format == .s16le ? Float(raw.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)) / 32768
                                         : raw.loadUnaligned(fromByteOffset: index * 4, as: Float.self)
                    }
                })
            }
        }
        guard var machine else { return .failure(.waiting) }
        // The fault grows from nothing to full over 60 s after it starts.
        let seconds = Double(machine.position) / machine.model.sampleRate
        let weight = min(1, max(0, (seconds - developsAfter) / 60))
        let samples = [Float](unsafeUninitializedCapacity: frame) { buffer, initialized in
            machine.fill(buffer, faultWeight: weight)
            initialized = frame
        }
        self.machine = machine
        return .success(samples)
    }

    /// Why a frame is not there: not yet, or the source fails.
    enum SourceWait: Error {
        case waiting
        case failed(String)
    }

    /// The source as messages name it.
    var name: String { file?.path ?? "the simulated machine" }
}

/// Tells systemd the daemon is ready, keeps its watchdog fed and its status line current, and
/// says when it stops.
struct NotifierService: Service {
    let notifier: SystemdNotifier?
    let context: DaemonContext
    let startedAt: Double

    func run() async throws {
        let status = statusLine()
        try? notifier?.notify("READY=1\nSTATUS=\(status)")
        context.logger.info("ready in \(Int((monotonicSeconds() - startedAt) * 1000)) ms: \(status)")
        context.event("daemon_ready", source: "edge-node") { w in w.key("site"); w.string(context.site.name) }
        let interval = SystemdNotifier.watchdogInterval() ?? 5
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
            guard !Task.isShuttingDownGracefully else { break }
            let points = context.store.all
            let bad = points.values.count(where: { !$0.isGood })
            try? notifier?.notify("WATCHDOG=1\nSTATUS=\(statusLine()); \(points.count) points, \(bad) not good")
        }
        try? notifier?.notify("STOPPING=1")
    }

    /// The site's name and size, for systemctl status.
    private func statusLine() -> String {
        let site = context.site
        return "\(site.name): \(site.deviceCount) devices, \(site.patrols.count) patrols"
    }
}

/// Looks after the event log: each second writes what it holds, if it can; every five seconds
/// forces what was written to disk (as ext4 commits by default, whatever the file system); says
/// in the journal when writing starts to fail (a full disk, a size limit), when it works again,
/// and when the file was deleted or moved away; counts dropped lines (`events_dropped`); and
/// records each episode in the log itself (`event_log_recovered`, with its reason, failed writes
/// and lost lines), so that a gap is never silent.
struct EventLogService: Service {
    let context: DaemonContext

    func run() async throws {
        var last = EventLog.Health()
        var beforeEpisode = last
        var seconds = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            let log = context.events
            seconds += 1
            if seconds % 5 == 0 { log.sync() } else { log.retry() }
            let now = log.health
            let began = !last.failing && now.failedWrites > last.failedWrites
            let reason = now.lastFailure ?? "unknown"
            if began {
                beforeEpisode = last
                context.logger.error("""
                    cannot write \(log.path): \(reason); holding events in memory (up to \(log.holdBytes) bytes, the oldest \
                    dropped beyond) and writing them as soon as it can (tried each second)
                    """)
            }
            if now.restarts > last.restarts {
                context.logger.notice("\(log.path) was deleted or moved away; writing a new one")
            }
            if now.droppedLines > last.droppedLines { context.count("events_dropped", by: now.droppedLines - last.droppedLines) }
            if !now.failing && (last.failing || began) {
                let dropped = now.droppedLines - beforeEpisode.droppedLines
                context.logger.notice("\(log.path) is written again; \(dropped) events were lost while it failed")
                context.event("event_log_recovered", source: log.path) { w in
                    w.key("reason"); w.string(reason)
                    w.key("failed_writes"); w.integer(now.failedWrites - beforeEpisode.failedWrites)
                    w.key("dropped"); w.integer(dropped)
                }
            }
            last = now
        }
    }
}

/// Runs the site's units and applies the site file again on SIGHUP: units whose configuration
/// changed restart, new ones start, removed ones stop (their points leave the store), and the
/// rest keep running untouched (patrol progress, baselines, counters and the event log go on; a
/// restarted receiver resumes its patrols).
/// A file with errors is reported (`reload_failed`) and the running site goes on unchanged.
/// Outputs and the status listener are read at start only: a change to them is reported as
/// needing a restart.
struct SiteSupervisor: Service {
    let sitePath: String
    let notifier: SystemdNotifier?
    let context: DaemonContext

    func run() async throws {
        reloadRequested.store(false, ordering: .relaxed)
        signal(SIGHUP) { _ in reloadRequested.store(true, ordering: .relaxed) }
        var running: [RunningUnit] = SiteUnit.all(of: context.site).map { RunningUnit($0, context) }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(100)) }
            guard reloadRequested.exchange(false, ordering: .relaxed) else { continue }
            try? notifier?.notify("RELOADING=1")
            do {
                let site = try SiteFile.load(sitePath)
                running = await apply(site, to: running)
            } catch {
                context.event("reload_failed", source: sitePath) { w in w.key("reason"); w.string(error.message) }
                context.logger.error("reload: \(error.message); keeping the running site")
            }
            try? notifier?.notify("READY=1")
        }
        for unit in running { await unit.stop() }
    }

    /// Stops what is gone or changed, then starts what is new or changed; returns what runs now.
    private func apply(_ site: Site, to running: [RunningUnit]) async -> [RunningUnit] {
        let wanted = SiteUnit.all(of: site)
        var kept: [RunningUnit] = [], stopped: [String] = [], restarted: [String] = []
        for unit in running {
            if wanted.contains(unit.unit) { kept.append(unit); continue }
            await unit.stop()
            context.forget(unit.unit)
            if wanted.contains(where: { $0.name == unit.unit.name }) { restarted.append(unit.unit.name) } else { stopped.append(unit.unit.name) }
        }
        let started = wanted.filter { new in !kept.contains { $0.unit == new } }
        let now = kept + started.map { RunningUnit($0, context) }
        let old = context.site
        var restartNeeded: [String] = []
        if (old.outputDirectory, old.rotateBytes, old.keepFiles) != (site.outputDirectory, site.rotateBytes, site.keepFiles) { restartNeeded.append("outputs") }
        if old.statusListen.map({ "\($0.host):\($0.port)" }) != site.statusListen.map({ "\($0.host):\($0.port)" }) { restartNeeded.append("status") }
        context.replaceSite(site)
        context.event("site_reloaded", source: sitePath) { w in
            w.key("started"); w.strings(started.map(\.name).filter { !restarted.contains($0) })
            w.key("restarted"); w.strings(restarted)
            w.key("stopped"); w.strings(stopped)
            w.key("unchanged"); w.strings(kept.map(\.unit.name))
            w.key("restart_needed"); w.strings(restartNeeded)
        }
        let pending = restartNeeded.isEmpty ? "" : "; restart to apply \(restartNeeded.joined(separator: " and "))"
        context.logger.info("reloaded \(sitePath): \(restarted.count) restarted, \(started.count - restarted.count) started, \(stopped.count) stopped, \(kept.count) unchanged\(pending)")
        return now
    }
}

/// Set by the SIGHUP handler (a plain flag: all a signal handler may safely do), read by
/// ``SiteSupervisor`` every 100 ms.
private let reloadRequested = Atomic(false)

/// Shows the running daemon to an observer once a second (the demo's live view); the observer
/// answers whether to stop, and the daemon then stops as on SIGINT.
struct ObserverService: Service {
    let context: DaemonContext
    let observe: @Sendable ([String: PointStore.Entry], [String: Int]) -> Bool

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            guard !Task.isShuttingDownGracefully else { break }
            if observe(context.store.all, context.counters.withLock { $0 }) { kill(getpid(), SIGINT) }
        }
    }
}

/// `edge-node run`: the site's services under one service group, stopped gracefully on SIGTERM
/// and SIGINT (each service finishes its loop, the event log is synced).
public enum Daemon {
    /// Runs the site until SIGTERM or SIGINT (or until `observe`, called once a second with the
    /// points and counters, says to stop).
    public static func run(sitePath: String, outputDirectory: String?, logLevel: Logger.Level = .info,
                           observe: (@Sendable ([String: PointStore.Entry], [String: Int]) -> Bool)? = nil) async throws(EdgeNodeError) {
        let startedAt = monotonicSeconds()
        let site = try SiteFile.load(sitePath)
        let directory = outputDirectory ?? site.outputDirectory
        try createDirectories(directory)
        // A file size limit (ulimit -f, LimitFSIZE=) makes a write fail with EFBIG, which the event
        // log handles, instead of killing the daemon.
        signal(SIGXFSZ, SIG_IGN)
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        var logger = Logger(label: "edge-node")
        logger.logLevel = logLevel
        let events = try EventLog(path: "\(directory)/events.jsonl", rotateBytes: site.rotateBytes, keep: site.keepFiles)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let context = DaemonContext(site: site, events: events, stateDirectory: directory, logger: logger)
        let notifier = SystemdNotifier()
        var services: [any Service] = [SiteSupervisor(sitePath: sitePath, notifier: notifier, context: context)]
        services.append(EventLogService(context: context))
        if let observe { services.append(ObserverService(context: context, observe: observe)) }
        if let status = site.statusListen {
            services.append(StatusService(host: status.host, port: status.port, sitePath: sitePath, context: context, registry: registry,
                                          startedAt: startedAt))
        }
        services.append(NotifierService(notifier: notifier, context: context, startedAt: startedAt))
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Within the unit's TimeoutStopSec (15 s): then the event log is synced regardless.
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: configuration)
        logger.info("starting \(site.name) from \(sitePath): events in \(directory)/events.jsonl")
        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        context.event("daemon_stopped", source: "edge-node") { w in w.key("events"); w.integer(context.counters.withLock { $0["events", default: 0] }) }
        events.sync()
        let health = events.health
        if health.heldLines > 0 {
            logger.error("\(health.heldLines) events could not be written to \(events.path) (\(health.lastFailure ?? "unknown")) and are lost")
        }
        logger.info("stopped")
        // A stop that was not asked for exits 1, so that systemd restarts the unit.
        if let failure { throw .runtime("the daemon stopped after a failure: \(failure)") }
    }
}

/// Log lines for journald: with `$JOURNAL_STREAM` set (systemd connected stderr to the journal)
/// each line starts with its syslog priority, `<3>` for errors to `<7>` for debug; otherwise a
/// timestamp and the level.
struct JournalLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private let journal = getenv("JOURNAL_STREAM") != nil

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let priority = switch event.level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
        let line: String
        if journal {
            line = "<\(priority)>\(event.message)\n"
        } else {
            let now = utcNow()
            line = "\(now.date)T\(now.time)Z \(event.level) \(event.message)\n"
        }
        var output = OutputSink(descriptor: 2)
        output.write(line)
        output.flush()
    }
}
