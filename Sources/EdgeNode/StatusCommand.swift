import EdgeIO
import JSONText
import NIOCore
import NIOHTTP1
import NIOPosix

/// `edge-node status`: what a running daemon reports on its status endpoint, for a technician.
public enum StatusCommand {
    /// The body of `GET path` from `host:port` (HTTP/1.1, over SwiftNIO), within `timeout` seconds.
    /// - Throws: ``EdgeNodeError/runtime(_:)`` when nothing answers there, the answer is not 200 or
    ///   does not come in time.
    public static func get(host: String, port: Int, path: String, timeout: Double = 3) throws(EdgeNodeError) -> String {
        let group = MultiThreadedEventLoopGroup.singleton
        let response = group.next().makePromise(of: String.self)
        let limit = TimeAmount.milliseconds(Int64(timeout * 1000))
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(limit)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(response: response))
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            response.fail(error)
            let refused = (error as? NIOConnectionError)?.connectionErrors.first?.error as? IOError
            let reason = refused.map { SystemError(operation: "connect", errno: $0.errnoCode).reason } ?? "\(error)"
            throw .runtime("no daemon answers on \(host):\(port) (\(reason)); is it running? systemctl status edge-node")
        }
        defer { channel.close(promise: nil) }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let deadline = channel.eventLoop.scheduleTask(in: limit) {
            response.fail(EdgeNodeError.runtime("\(host):\(port)\(path): no complete answer within \(format(timeout, 0)) s"))
        }
        defer { deadline.cancel() }
        do {
            return try response.futureResult.wait()
        } catch let error as EdgeNodeError {
            throw error
        } catch {
            throw .runtime("\(host):\(port)\(path): \(error)")
        }
    }

    /// Collects one HTTP response: its body when the status is 200, else an error with the status line.
    private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        private let response: EventLoopPromise<String>
        private var status: HTTPResponseStatus?
        private var body: [UInt8] = []

        init(response: EventLoopPromise<String>) { self.response = response }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): status = head.status
            case .body(let buffer): body += buffer.readableBytesView
            case .end:
                if status == .ok {
                    response.succeed(String(decoding: body, as: UTF8.self))
                } else {
                    response.fail(EdgeNodeError.runtime("the status endpoint answered \(status.map { "\($0.code) \($0.reasonPhrase)" } ?? "nothing")"))
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            response.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            response.fail(EdgeNodeError.runtime("the connection closed before the answer was complete"))
        }
    }

    /// The status report as lines: the site, each device's health, each patrol's progress, each
    /// machine's health, the counters.
    public static func render(_ json: String) throws(EdgeNodeError) -> String {
        guard let status = JSONValue.parse(json.utf8), status.object != nil else {
            throw .runtime("the status endpoint answered something that is not a status report")
        }
        var text = "site \(status["site"]?.string ?? "?"), up \(duration(status["uptime_s"]?.double ?? 0))\n"
        let qualities = (status["points"]?.object ?? [:]).compactMapValues { $0["quality"]?.string }
        for device in status["devices"]?.array ?? [] {
            let name = device["name"]?.string ?? "?"
            let points = device["points"]?.int ?? 0, bad = device["not_good"]?.int ?? 0
            text += "  device   " + name.padding(20) + (device["health"]?.string ?? "?").padding(10)
                + (bad == 0 ? "\(points) point\(points == 1 ? "" : "s")" : "\(bad) of \(points) points not good") + "\n"
            // Why, from the first point that is not good: a technician reads the reason here.
            if let (point, quality) = qualities.filter({ $0.key.hasPrefix(name + ".") && $0.value != "good" }).min(by: { $0.key < $1.key }) {
                text += "           \(point): \(quality)\n"
            }
        }
        for patrol in status["patrols"]?.array ?? [] {
            let next = patrol["next"]?.string.map { ", next \($0)" } ?? ""
            text += "  patrol   " + (patrol["route"]?.string ?? "?").padding(20) + "\(patrol["state"]?.string ?? "?")\(next): "
                + "visited \(patrol["visited"]?.int ?? 0), missed \(patrol["missed"]?.int ?? 0), "
                + "uncertain \(patrol["uncertain"]?.int ?? 0) of \(patrol["checkpoints"]?.int ?? 0)\n"
        }
        for machine in status["machines"]?.array ?? [] {
            let velocity = machine["velocity_rms_mm_s"]?.double.map { "\(format($0, 2)) mm/s" } ?? "no velocity yet"
            let zone = machine["zone"]?.string.map { " (zone \($0))" } ?? ""
            text += "  machine  " + (machine["name"]?.string ?? "?").padding(20) + "alarm \(machine["alarm"]?.string ?? "?"), "
                + "baseline \(machine["baseline"]?.string ?? "?"), \(velocity)\(zone)\n"
        }
        if let log = status["event_log"], log["writing"]?.string == "failing" || (log["dropped_lines"]?.int ?? 0) > 0 {
            let state = log["writing"]?.string == "failing" ? "writing fails (\(log["last_failure"]?.string ?? "?"))" : "written"
            text += "  events   " + (log["path"]?.string ?? "?") + " \(state): \(log["held_lines"]?.int ?? 0) held in memory, "
                + "\(log["dropped_lines"]?.int ?? 0) lost\n"
        }
        let counters = (status["counters"]?.object ?? [:]).compactMapValues(\.int).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !counters.isEmpty { text += "  counters " + counters.joined(separator: ", ") + "\n" }
        return text
    }

    /// Seconds as `3h12m`, `4m05s` or `12s`.
    private static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if whole >= 3600 { return "\(whole / 3600)h\(twoDigits(whole % 3600 / 60))m" }
        if whole >= 60 { return "\(whole / 60)m\(twoDigits(whole % 60))s" }
        return "\(whole)s"
    }
}
