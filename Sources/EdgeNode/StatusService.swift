import JSONText
import EdgeIO
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Metrics
import NMEAParser
import Prometheus
import ServiceLifecycle

/// The daemon's local HTTP endpoint: `GET /status` (JSON: devices with health, patrols,
/// machines, points, counters; `edge-node status` prints it) and `GET /metrics` (Prometheus text
/// format). Loopback by default; the unit's IPAddressAllow limits who reaches it.
struct StatusService: Service {
    let host: String
    let port: Int
    /// The site file, named in messages.
    let sitePath: String
    let context: DaemonContext
    let registry: PrometheusCollectorRegistry
    let startedAt: Double

    func run() async throws {
        let context = context, registry = registry, startedAt = startedAt
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(StatusHandler(context: context, registry: registry, startedAt: startedAt))
                }
            }
        // A port that cannot be had (another program on it) costs the status endpoint, not the
        // site: said once, then tried again with a doubling wait.
        var backoff = RestartBackoff(initial: 1, maximum: 30), reported = false
        while !Task.isShuttingDownGracefully {
            let channel: Channel
            do {
                channel = try await bootstrap.bind(host: host, port: port).get()
            } catch {
                if !reported {
                    reported = true
                    let system = (error as? IOError).map { SystemError(operation: "bind", errno: $0.errnoCode) }
                    let reason = system?.reason ?? "\(error)"
                    context.event("status_unavailable", source: "edge-node") { w in w.key("port"); w.integer(port); w.key("reason"); w.string(reason) }
                    let remedy = system?.isAddressInUse == true
                        ? "another program has the port (ss -ltnp 'sport = :\(port)' names it; two daemons on one site poll its devices twice): stop it, or change status.listen in \(sitePath)"
                        : "change status.listen in \(sitePath)"
                    let message = "cannot listen on \(host):\(port) for /status and /metrics: \(reason); \(remedy); trying again meanwhile"
                    context.logger.error("\(message)")
                }
                let until = monotonicSeconds() + backoff.failed()
                while monotonicSeconds() < until && !Task.isShuttingDownGracefully { try? await Task.sleep(for: .milliseconds(100)) }
                continue
            }
            let bound = channel.localAddress?.port ?? port
            context.event("status_listening", source: "edge-node") { w in w.key("host"); w.string(host); w.key("port"); w.integer(bound) }
            context.logger.info("status on http://\(host):\(bound)/status and /metrics")
            try? await gracefulShutdown()
            try? await channel.close()
            return
        }
    }
}

/// Answers one request at a time on a connection.
private final class StatusHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let context: DaemonContext
    let registry: PrometheusCollectorRegistry
    let startedAt: Double
    private var path = ""

    init(context: DaemonContext, registry: PrometheusCollectorRegistry, startedAt: Double) {
        self.context = context
        self.registry = registry
        self.startedAt = startedAt
    }

    func channelRead(context channelContext: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.method == .GET ? head.uri : ""
        case .body: break
        case .end:
            let (status, type, body): (HTTPResponseStatus, String, [UInt8]) = switch path.split(separator: "?").first ?? "" {
            case "/status": (.ok, "application/json", statusJSON())
            case "/metrics": (.ok, "text/plain; version=0.0.4", metricsText())
            default: (.notFound, "text/plain", Array("try /status or /metrics\n".utf8))
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.count))
            channelContext.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            channelContext.write(wrapOutboundOut(.body(.byteBuffer(channelContext.channel.allocator.buffer(bytes: body)))), promise: nil)
            channelContext.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// The registry's metrics after the point gauges are brought up to date.
    private func metricsText() -> [UInt8] {
        let points = context.store.all
        let good = points.values.count(where: \.quality.isGood)
        Gauge(label: "edge_node_points", dimensions: [("quality", "good")]).record(good)
        Gauge(label: "edge_node_points", dimensions: [("quality", "not_good")]).record(points.count - good)
        Gauge(label: "edge_node_events_held").record(context.events.health.heldLines)
        Gauge(label: "edge_node_uptime_seconds").record(monotonicSeconds() - startedAt)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Devices with their health (good when every point is), the patrols' progress, the machines'
    /// health, every point, the counters.
    private func statusJSON() -> [UInt8] {
        let points = context.store.all
        var w = JSONWriter(capacity: 4096)
        w.raw("{\"site\":"); w.string(context.site.name)
        w.key("uptime_s"); w.fixed(monotonicSeconds() - startedAt, decimals: 1)
        w.key("devices"); w.raw("[")
        for (index, device) in SiteUnit.all(of: context.site).map(\.name).enumerated() {
            if index > 0 { w.raw(",") }
            let own = PointStore.tally(points, under: device)
            w.raw("{\"name\":"); w.string(device)
            w.key("health"); w.string(own.points == 0 ? "unknown" : own.notGood == 0 ? "good" : own.notGood == own.points ? "down" : "degraded")
            w.key("points"); w.integer(own.points); w.key("not_good"); w.integer(own.notGood)
            w.raw("}")
        }
        w.raw("]"); w.key("patrols"); w.raw("[")
        for (index, entry) in context.patrols.withLockedValue({ $0 }).sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { w.raw(",") }
            let patrol = entry.value
            w.raw("{\"route\":"); w.string(entry.key)
            w.key("state"); w.string(patrol.complete ? "complete" : patrol.positionsTrusted ? "under way" : "waiting for trusted positions")
            w.key("next"); if let next = patrol.next { w.string(next) } else { w.raw("null") }
            w.key("checkpoints"); w.integer(patrol.checkpoints)
            w.key("visited"); w.integer(patrol.summary.visited); w.key("missed"); w.integer(patrol.summary.missed)
            w.key("uncertain"); w.integer(patrol.summary.uncertain); w.key("skipped"); w.integer(patrol.summary.skipped)
            w.raw("}")
        }
        w.raw("]"); w.key("machines"); w.raw("[")
        for (index, entry) in context.machines.withLockedValue({ $0 }).sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { w.raw(",") }
            let machine = entry.value
            w.raw("{\"name\":"); w.string(entry.key)
            w.key("baseline"); w.string(machine.baselineLearnt ? "active" : "learning")
            w.key("alarm"); w.string(machine.level.description)
            w.key("velocity_rms_mm_s"); if let velocity = machine.velocityRMS { w.fixed(velocity, decimals: 3) } else { w.raw("null") }
            w.key("zone"); if let zone = machine.zone { w.string(zone.rawValue) } else { w.raw("null") }
            w.raw("}")
        }
        w.raw("]"); w.key("points"); w.raw("{")
        for (index, entry) in points.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { w.raw(",") }
            w.string(entry.key); w.raw(":{\"value\":")
            if let value = entry.value.value { value.write(into: &w) } else { w.raw("null") }
            w.key("quality"); w.string(entry.value.quality.description)
            w.key("utc"); w.timestamp(utcNanoseconds: entry.value.utcNanoseconds); w.raw("}")
        }
        let log = context.events.health
        w.raw("}"); w.key("event_log"); w.raw("{\"path\":"); w.string(context.events.path)
        w.key("writing"); w.string(log.failing ? "failing" : "ok")
        w.key("last_failure"); if let reason = log.lastFailure { w.string(reason) } else { w.raw("null") }
        w.key("failed_writes"); w.integer(log.failedWrites)
        w.key("held_lines"); w.integer(log.heldLines)
        w.key("dropped_lines"); w.integer(log.droppedLines)
        w.raw("}"); w.key("counters"); w.raw("{")
        for (index, entry) in context.counters.withLockedValue({ $0 }).sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { w.raw(",") }
            w.string(entry.key); w.raw(":"); w.integer(entry.value)
        }
        w.raw("}}\n")
        return w.bytes
    }
}
