import EdgeIO
import Glibc
import ServiceLifecycle
import Synchronization

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
