import EdgeIO
import ServiceLifecycle

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
            let bad = points.values.count(where: { !$0.quality.isGood })
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
