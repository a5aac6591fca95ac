#if canImport(Glibc)
import Glibc
#endif

/// Line settings of a serial port.
public struct SerialSettings: Sendable, Equatable {
    public enum Parity: String, Sendable, CaseIterable { case none = "N", even = "E", odd = "O" }
    public enum FlowControl: String, Sendable, CaseIterable { case none, hardware, software }

    /// Bits per second: a standard rate from 50 to 921,600.
    public var baud: Int
    public var dataBits: Int
    public var parity: Parity
    public var stopBits: Int
    public var flowControl: FlowControl

    public init(baud: Int = 9600, dataBits: Int = 8, parity: Parity = .none, stopBits: Int = 1, flowControl: FlowControl = .none) {
        self.baud = baud
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
        self.flowControl = flowControl
    }

    /// The standard rates and their termios speed constants.
    private static let rates: [Int: Int32] = [50: B50, 75: B75, 110: B110, 134: B134, 150: B150, 200: B200, 300: B300, 600: B600,
                                              1200: B1200, 1800: B1800, 2400: B2400, 4800: B4800, 9600: B9600, 19200: B19200,
                                              38400: B38400, 57600: B57600, 115_200: B115200, 230_400: B230400, 460_800: B460800,
                                              500_000: B500000, 576_000: B576000, 921_600: B921600]

    /// Whether the driver accepts `baud`.
    public static func isStandardRate(_ baud: Int) -> Bool { rates[baud] != nil }

    /// The termios speed constant for a standard rate, nil for others.
    static func speed(_ baud: Int) -> speed_t? { rates[baud].map { speed_t($0) } }

    /// The rate of a termios speed constant.
    static func baud(_ speed: speed_t) -> Int? { rates.first { speed_t($0.value) == speed }?.key }
}

/// Why a serial port could not be used.
public enum SerialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process has the port open (it is named when it can be found).
    case busy(path: String, holder: String?)
    case unsupportedSettings(String)
    /// The device went away (USB adapter unplugged, the other end of a pseudo-terminal closed).
    case unplugged(path: String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .busy(let path, let holder):
            "\(path) is in use by \(holder ?? "another process"): stop it (or close its terminal program) and try again"
        case .unsupportedSettings(let message): message
        case .unplugged(let path): "\(path) went away (unplugged, or the other end closed)"
        case .system(let error):
            switch error.errno {
            case ENOENT: "\(error.operation): no such device: check the cable and the name (ls /dev/serial/by-id)"
            case EACCES: "\(error.operation): permission denied: add the user to the 'dialout' group"
            default: error.description
            }
        }
    }
}

/// A serial port over termios: raw mode, the given line settings, exclusive (TIOCEXCL and an
/// advisory lock, so that a second program, root included, gets a clear "busy" error),
/// non-blocking reads with a timeout, and unplugging reported as ``SerialError/unplugged(path:)``.
public final class SerialPort {
    public let path: String
    public let settings: SerialSettings
    private let descriptor: Int32

    /// Opens and configures `path`.
    public init(path: String, settings: SerialSettings) throws(SerialError) {
        self.path = path
        self.settings = settings
        guard let speed = SerialSettings.speed(settings.baud) else {
            throw .unsupportedSettings("\(settings.baud) baud is not a standard rate (50 ... 921600)")
        }
        guard (5...8).contains(settings.dataBits), (1...2).contains(settings.stopBits) else {
            throw .unsupportedSettings("data bits must be 5-8 and stop bits 1 or 2")
        }
        let fd: Int32
        do {
            fd = try check("open \(path)", open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC))
        } catch {
            throw .system(error)
        }
        if flock(fd, LOCK_EX | LOCK_NB) == -1 {
            close(fd)
            throw .busy(path: path, holder: Self.holder(of: path))
        }
        do {
            try check("TIOCEXCL \(path)", ioctl(fd, UInt(TIOCEXCL)))
            var options = termios()
            try check("tcgetattr \(path)", tcgetattr(fd, &options))
            cfmakeraw(&options)
            try check("cfsetspeed \(path)", cfsetspeed(&options, speed))
            func flag(_ value: Int32) -> tcflag_t { tcflag_t(truncatingIfNeeded: value) }
            func flag(_ value: UInt32) -> tcflag_t { tcflag_t(value) }
            options.c_cflag &= ~(flag(CSIZE) | flag(PARENB) | flag(PARODD) | flag(CSTOPB) | flag(CRTSCTS))
            options.c_cflag |= flag([5: CS5, 6: CS6, 7: CS7, 8: CS8][settings.dataBits]!) | flag(CLOCAL) | flag(CREAD)
            if settings.parity != .none { options.c_cflag |= flag(PARENB) | (settings.parity == .odd ? flag(PARODD) : 0) }
            if settings.stopBits == 2 { options.c_cflag |= flag(CSTOPB) }
            options.c_iflag &= ~(flag(IXON) | flag(IXOFF) | flag(IXANY))
            switch settings.flowControl {
            case .none: break
            case .hardware: options.c_cflag |= flag(CRTSCTS)
            case .software: options.c_iflag |= flag(IXON) | flag(IXOFF)
            }
            try check("tcsetattr \(path)", tcsetattr(fd, TCSANOW, &options))
            try check("tcflush \(path)", tcflush(fd, TCIOFLUSH))
        } catch {
            close(fd)
            throw .system(error)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The line settings the driver reports back (to check they were applied).
    public func appliedSpeed() throws(SerialError) -> Int {
        var options = termios()
        do { try check("tcgetattr \(path)", tcgetattr(descriptor, &options)) } catch { throw .system(error) }
        return SerialSettings.baud(cfgetospeed(&options)) ?? 0
    }

    /// Waits up to `timeout` seconds for data and reads what is there into `buffer`; returns the
    /// count, 0 on timeout.
    /// - Throws: ``SerialError/unplugged(path:)`` when the device went away.
    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double) throws(SerialError) -> Int {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32((timeout * 1000).rounded(.up)))
        if ready == -1 {
            if errno == EINTR { return 0 }
            throw .system(SystemError(operation: "poll \(path)", errno: errno))
        }
        guard ready > 0 else { return 0 }
        let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        if count > 0 { return count }
        if count == 0 || errno == EIO || poller.revents & Int16(POLLHUP) != 0 { throw .unplugged(path: path) }
        if errno == EAGAIN || errno == EINTR { return 0 }
        throw .system(SystemError(operation: "read \(path)", errno: errno))
    }

    /// Writes all of `bytes` (waiting while the driver's buffer is full).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SerialError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EINTR {
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, 100)
            } else if errno == EIO {
                throw .unplugged(path: path)
            } else {
                throw .system(SystemError(operation: "write \(path)", errno: errno))
            }
        }
    }

    /// The process holding `path` open, from /proc (best effort), as "name (pid N)".
    public static func holder(of path: String) -> String? {
        let own = getpid()
        for name in directoryEntries("/proc") {
            guard let pid = Int32(name), pid != own else { continue }
            for descriptor in directoryEntries("/proc/\(name)/fd") where linkTarget("/proc/\(name)/fd/\(descriptor)") == path {
                var command = [UInt8](repeating: 0, count: 256)
                let file = open("/proc/\(name)/comm", O_RDONLY)
                let read = file >= 0 ? Glibc.read(file, &command, 255) : 0
                if file >= 0 { close(file) }
                let comm = String(decoding: command.prefix(max(0, read)).filter { $0 != 10 && $0 != 0 }, as: UTF8.self)
                return "\(comm.isEmpty ? "process" : comm) (pid \(pid))"
            }
        }
        return nil
    }
}

/// A serial port the kernel knows: its device, driver, USB identity and who holds it.
public struct SerialPortInfo: Sendable, Equatable {
    public var path: String
    /// The kernel driver (e.g. "cp210x", "ftdi_sio", "cdc_acm", "serial8250"); nil for pseudo-terminals.
    public var driver: String?
    /// USB vendor:product and the product's name, for USB adapters.
    public var usb: String?
    /// Stable names under /dev/serial/by-id that point at it.
    public var byID: [String]
    /// The process that has it open, as "name (pid N)".
    public var holder: String?

    /// What the kernel says about `path` (resolving symbolic links); nil if it is not a terminal device.
    public init?(path: String) {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let device = String(cString: resolved)
        guard device.hasPrefix("/dev/tty") || device.hasPrefix("/dev/pts/") else { return nil }
        self.path = path
        let name = String(device.split(separator: "/").last!)
        var sysfs = "/sys/class/tty/\(name)/device"
        // Walk up to the first driver that is not the serial core's "port" layer; USB identity on the way.
        for _ in 0..<4 where access(sysfs, F_OK) == 0 {
            if driver == nil, let target = linkTarget("\(sysfs)/driver"), let last = target.split(separator: "/").last, last != "port" {
                driver = String(last)
            }
            if usb == nil, let vendor = Self.attribute("\(sysfs)/idVendor"), let product = Self.attribute("\(sysfs)/idProduct") {
                usb = "\(vendor):\(product)" + (Self.attribute("\(sysfs)/product").map { " \($0)" } ?? "")
            }
            sysfs += "/.."
        }
        byID = directoryEntries("/dev/serial/by-id").sorted().filter { entry in
            guard let target = realpath("/dev/serial/by-id/\(entry)", nil) else { return false }
            defer { free(target) }
            return String(cString: target) == device
        }.map { "/dev/serial/by-id/\($0)" }
        holder = SerialPort.holder(of: device)
    }

    /// The hardware serial ports: USB adapters (ttyUSB, ttyACM) and UARTs the kernel found
    /// (ttyS, ttyAMA, ttymxc...; the 8250 placeholders with no UART behind them left out).
    public static func available() -> [SerialPortInfo] {
        directoryEntries("/sys/class/tty").filter { name in
            guard access("/sys/class/tty/\(name)/device", F_OK) == 0, !name.hasPrefix("tty") || !name.dropFirst(3).allSatisfy(\.isNumber) else { return false }
            return attribute("/sys/class/tty/\(name)/type") != "0"
        }.sorted().compactMap { SerialPortInfo(path: "/dev/\($0)") }
    }

    private static func attribute(_ path: String) -> String? {
        let file = open(path, O_RDONLY)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(file, &buffer, 255)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self).trimmingSuffixNewline
    }
}

private extension String {
    var trimmingSuffixNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
