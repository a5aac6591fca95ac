import EdgeIO
import Glibc
import JSONText
import Logging
import Metrics
import NIOConcurrencyHelpers
import NMEAParser
import PatrolAgent
import PredictiveMaintenance
import Prometheus

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
    private let currentSite: NIOLockedValueBox<Site>
    let events: EventLog
    /// Where state that outlives the process goes (the outputs directory: patrol journals and
    /// machine baselines).
    let stateDirectory: String
    let store = PointStore()
    let logger: Logger
    let counters = NIOLockedValueBox<[String: Int]>([:])
    private let metrics = NIOLockedValueBox<[String: Metrics.Counter]>([:])
    /// Each patrol's progress by route name, and each machine's health by channel name, for the
    /// status report.
    let patrols = NIOLockedValueBox<[String: PatrolProgress]>([:])
    let machines = NIOLockedValueBox<[String: MachineCondition]>([:])
    /// Each patrol's state when its unit last stopped, by route name: a restarted unit (a reload
    /// that changed the receiver) resumes a patrol whose route is unchanged.
    let patrolSnapshots = NIOLockedValueBox<[String: (route: Route, snapshot: PatrolSnapshot)]>([:])

    init(site: Site, events: EventLog, stateDirectory: String, logger: Logger) {
        currentSite = NIOLockedValueBox(site)
        self.events = events
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// The site as last loaded (at start, or by a reload).
    var site: Site { currentSite.withLockedValue { $0 } }

    func replaceSite(_ site: Site) { currentSite.withLockedValue { $0 = site } }

    /// One event line: `{"event": kind, "source": source, "utc": now, ...fields}`.
    func event(_ kind: StaticString, source: String, _ fields: (inout JSONWriter) -> Void = { _ in }) {
        var w = JSONWriter(capacity: 512)
        w.eventLine(kind, source: source, utcNanoseconds: utcNanoseconds(), fields)
        w.withBytes { events.append($0) }
        count("events")
    }

    /// Drops what a stopped unit left: its points, its patrols' progress or its machine's health.
    func forget(_ unit: SiteUnit) {
        store.removeAll(under: unit.name)
        switch unit {
        case .patrols: patrols.withLockedValue { $0.removeAll() }
        case .maintenance(let channel): _ = machines.withLockedValue { $0.removeValue(forKey: channel.name) }
        case .modbus, .gpio: break
        }
    }

    /// Counts for the status report and, through swift-metrics, for Prometheus (`edge_node_NAME_total`).
    func count(_ name: String, by amount: Int = 1) {
        counters.withLockedValue { $0[name, default: 0] += amount }
        // Each metric made once: making one goes through the factory and the registry's lock.
        let metric = metrics.withLockedValue { metrics in
            if let made = metrics[name] { return made }
            let made = Counter(label: "edge_node_\(name)_total")
            metrics[name] = made
            return made
        }
        metric.increment(by: amount)
    }
}

/// The current UTC date and time, from the realtime clock.
func utcNow() -> (date: CalendarDate, time: TimeOfDay) { utcDateAndTime(nanosecondsSince1970: utcNanoseconds()) }
