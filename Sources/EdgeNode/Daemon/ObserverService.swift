import Glibc
import ServiceLifecycle

/// Shows the running daemon to an observer once a second (the demo's live view); the observer
/// answers whether to stop, and the daemon then stops as on SIGINT.
struct ObserverService: Service {
    let context: DaemonContext
    let observe: @Sendable ([String: PointSample], [String: Int]) -> Bool

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            guard !Task.isShuttingDownGracefully else { break }
            if observe(context.store.all, context.counters.withLockedValue { $0 }) { kill(getpid(), SIGINT) }
        }
    }
}
