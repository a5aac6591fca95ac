import Foundation
import Testing
@testable import EdgeIO

@Suite("sd_notify")
struct SystemdNotifierTests {
    /// A datagram socket like systemd's, bound to `name` (a path, or `@abstract`).
    private func listener(_ name: String) throws -> Int32 {
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (bytes.first == 0 ? 0 : 1))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        try #require(bound == 0, "bind \(name): \(String(cString: strerror(errno)))")
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return socket
    }

    private func receive(_ socket: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(socket, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }

    /// The messages arrive in order, on a path socket and on an abstract one.
    @Test(arguments: ["path", "abstract"]) func messagesInOrder(kind: String) throws {
        let name = kind == "path" ? FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString)").path
                                  : "@edge-node-test-\(UUID().uuidString)"
        let socket = try listener(name)
        defer {
            close(socket)
            if kind == "path" { unlink(name) }
        }
        let notifier = try #require(SystemdNotifier(socketPath: name))
        for message in ["READY=1", "STATUS=polling 3 devices", "WATCHDOG=1", "STOPPING=1"] { try notifier.notify(message) }
        #expect([receive(socket), receive(socket), receive(socket), receive(socket)] == ["READY=1", "STATUS=polling 3 devices", "WATCHDOG=1", "STOPPING=1"])
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsec() {
        setenv("WATCHDOG_USEC", "10000000", 1)
        setenv("WATCHDOG_PID", String(getpid()), 1)
        #expect(SystemdNotifier.watchdogInterval() == 5)
        setenv("WATCHDOG_PID", "1", 1)   // meant for another process
        #expect(SystemdNotifier.watchdogInterval() == nil)
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        #expect(SystemdNotifier(socketPath: "relative") == nil)
    }
}
