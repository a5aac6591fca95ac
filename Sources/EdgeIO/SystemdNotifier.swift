#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify protocol without libsystemd: one datagram per message to the socket systemd
/// names in `$NOTIFY_SOCKET` (a path, or an abstract name written with a leading `@`).
/// `READY=1` once started, `STATUS=...` for `systemctl status`, `WATCHDOG=1` within
/// `$WATCHDOG_USEC`, `RELOADING=1` / `STOPPING=1` around reloads and stops.
public final class SystemdNotifier: @unchecked Sendable {
    public let socketPath: String
    private let descriptor: Int32

    /// The notifier for `$NOTIFY_SOCKET`; nil when the service does not run under systemd with
    /// `Type=notify`.
    public convenience init?() {
        guard let path = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !path.isEmpty else { return nil }
        self.init(socketPath: path)
    }

    /// A notifier for an explicit socket (tests).
    public init?(socketPath: String) {
        guard socketPath.hasPrefix("/") || socketPath.hasPrefix("@") else { return nil }
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return nil }
        self.socketPath = socketPath
        descriptor = socket
    }

    deinit { close(descriptor) }

    /// Sends one message (several `KEY=value` lines are allowed). Never waits: when the
    /// listener's queue is full the message is dropped with EAGAIN (a daemon must not hang on
    /// its supervisor).
    public func notify(_ message: String) throws(SystemError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(socketPath.utf8)
        if name.first == UInt8(ascii: "@") { name[0] = 0 }   // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard name.count < capacity else { throw SystemError(operation: "notify \(socketPath)", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
        // Abstract names are exactly as long as given; paths end with their NUL.
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count + (name.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), $0, length) }
        }
        guard sent == bytes.count else { throw SystemError(operation: "notify \(socketPath)", errno: errno) }
    }

    /// How often systemd wants `WATCHDOG=1`: half of `$WATCHDOG_USEC` (as sd_watchdog_enabled
    /// advises), in seconds; nil without a watchdog or when it is meant for another process.
    public static func watchdogInterval() -> Double? {
        guard let text = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let microseconds = Double(text), microseconds > 0 else { return nil }
        if let pid = getenv("WATCHDOG_PID").map({ String(cString: $0) }), Int32(pid) != getpid() { return nil }
        return microseconds / 2e6
    }
}
