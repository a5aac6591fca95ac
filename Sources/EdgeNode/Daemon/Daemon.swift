import EdgeIO
import Glibc
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `edge-node run`: the site's services under one service group, stopped gracefully on SIGTERM
/// and SIGINT (each service finishes its loop, the event log is synced).
public enum Daemon {
    /// Runs the site until SIGTERM or SIGINT (or until `observe`, called once a second with the
    /// points and counters, says to stop).
    public static func run(sitePath: String, outputDirectory: String?, logLevel: Logger.Level = .info,
                           observe: (@Sendable ([String: PointSample], [String: Int]) -> Bool)? = nil) async throws(EdgeNodeError) {
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
        services.append(PointEventService(context: context))
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
        context.event("daemon_stopped", source: "edge-node") { w in w.key("events"); w.integer(context.counters.withLockedValue { $0["events", default: 0] }) }
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
