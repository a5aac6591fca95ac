import EdgeIO
import ServiceLifecycle

/// The event log's view of the data plane: a subscriber that writes `point_quality` when a
/// declared point's quality changes kind (good, stale, bad) and `point_changed` when a good
/// value moves beyond its definition's reporting threshold, with its age in the queue.
struct PointEventService: Service {
    let context: DaemonContext
    let subscription: PointSubscription

    /// What was last reported of each point.
    private final class Reported {
        var kinds: [String: String] = [:]
        var values: [String: Double] = [:]
        var dropped = 0
    }

    init(context: DaemonContext) {
        self.context = context
        subscription = context.store.subscribe(capacity: 65_536)
    }

    func run() async throws {
        let reported = Reported()
        // Woken by updates (not polled); at stop, what is still held is written too.
        let subscription = subscription
        await withGracefulShutdownHandler {
            while case let changes = await subscription.next(), !changes.isEmpty { write(changes, reported) }
        } onGracefulShutdown: {
            subscription.close()
        }
        write(subscription.drain(), reported)
    }

    private func write(_ changes: [PointChange], _ reported: Reported) {
        for change in changes {
            guard let definition = context.store.definition(change.name), definition.reportsQuality else { continue }
            let sample = change.sample, kind = sample.quality.kind
            let previousKind = reported.kinds[change.name]
            if let threshold = definition.reportChangesBeyond, kind == "good", previousKind == "good", let typed = sample.value,
               let value = typed.doubleValue, let last = reported.values[change.name], abs(value - last) > threshold {
                context.event("point_changed", source: change.name) { w in
                    w.key("value"); typed.write(into: &w)
                    w.key("age_ms"); w.fixed((monotonicSeconds() - sample.monotonicSeconds) * 1000, decimals: 3)
                }
                reported.values[change.name] = value
            }
            if previousKind != kind {
                if previousKind != nil || kind != "good" {
                    context.event("point_quality", source: change.name) { w in
                        w.key("quality"); w.string(sample.quality.description)
                        if let value = sample.value { w.key("value"); value.write(into: &w) }
                    }
                    if kind != "good" { context.logger.warning("\(change.name): \(sample.quality)") }
                }
                reported.kinds[change.name] = kind
                reported.values[change.name] = sample.value?.doubleValue
            }
        }
        let dropped = subscription.dropped
        if dropped > reported.dropped {
            context.count("point_updates_dropped", by: dropped - reported.dropped)
            context.logger.error("\(dropped - reported.dropped) point updates dropped before the event log read them")
            reported.dropped = dropped
        }
    }
}
