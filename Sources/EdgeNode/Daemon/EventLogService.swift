import ServiceLifecycle

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
