import Glibc

/// `edge-node status`: what a running daemon reports on its status endpoint, for a technician.
public enum StatusCommand {
    /// The body of `GET path` from `host:port` (HTTP/1.1), within `timeout` seconds.
    public static func get(host: String, port: Int, path: String, timeout: Double = 3) throws(EdgeNodeError) -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw .runtime("socket: \(String(cString: strerror(errno)))") }
        defer { close(socket) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw .input("'\(host)' is not an IPv4 address") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            throw .runtime("no daemon answers on \(host):\(port) (\(String(cString: strerror(errno)))); is it running? systemctl status edge-node")
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count > 0 { response += buffer.prefix(count) }
            let text = String(decoding: response, as: UTF8.self)
            if let split = text.firstRange(of: "\r\n\r\n") {
                let head = text[..<split.lowerBound]
                let body = String(text[split.upperBound...])
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingSpaces) }
                if let length, body.utf8.count >= length || count <= 0 {
                    guard head.hasPrefix("HTTP/1.1 200") else { throw .runtime("\(host):\(port)\(path): \(head.prefix { $0 != "\r" })") }
                    return body
                }
            }
            if count <= 0 { throw .runtime("\(host):\(port)\(path): no complete answer within \(format(timeout, 0)) s") }
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
