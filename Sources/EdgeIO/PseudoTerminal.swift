#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair: the controlling side stays here, and the terminal side is a device path
/// (`/dev/pts/N`) that a program opens as if it were a serial port. The simulated devices sit
/// behind one, so that readers use the same code path as with real hardware.
public final class PseudoTerminal {
    /// The terminal side's path.
    public let path: String
    private var controller: Int32

    public init() throws(SystemError) {
        // posix_openpt/unlockpt/ptsname are hidden from Swift by glibc's feature macros; this is
        // what they do on Linux: open the multiplexer, unlock the new terminal, ask its number.
        let fd = try check("open /dev/ptmx", open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC))
        do {
            var unlock: Int32 = 0
            try check("unlock pseudo-terminal", ioctl(fd, pseudoTerminalSetLock, &unlock))
            var number: UInt32 = 0
            try check("pseudo-terminal number", ioctl(fd, pseudoTerminalGetNumber, &number))
            path = "/dev/pts/\(number)"
        } catch {
            close(fd)
            throw error
        }
        controller = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        // Raw on the terminal side too, so that bytes pass unchanged (no echo, no CR/LF mapping).
        var options = termios()
        if tcgetattr(fd, &options) == 0 {
            cfmakeraw(&options)
            tcsetattr(fd, TCSANOW, &options)
        }
    }

    deinit { hangUp() }

    /// Writes all of `bytes` to the terminal side's reader, waiting while its buffer is full.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(controller, $0.baseAddress! + offset, bytes.count - offset) }
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EINTR {
                var poller = pollfd(fd: controller, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, 100)
            } else {
                throw SystemError(operation: "write \(path)", errno: errno)
            }
        }
    }

    /// Writes `bytes` without waiting, as a device's UART does whether or not anybody listens:
    /// what does not fit in the terminal's buffer is lost. Returns the count written.
    @discardableResult
    public func writeWithoutWaiting(_ bytes: [UInt8]) throws(SystemError) -> Int {
        let written = bytes.withUnsafeBytes { Glibc.write(controller, $0.baseAddress!, bytes.count) }
        if written >= 0 { return written }
        if errno == EAGAIN || errno == EINTR { return 0 }
        throw SystemError(operation: "write \(path)", errno: errno)
    }

    /// Waits until a program has the terminal side open (Linux reports a hang-up on the
    /// controlling side while nobody does, once somebody has: so it is opened and closed here
    /// first), up to `timeout` seconds; false when nobody came.
    public func waitForReader(timeout: Double) -> Bool {
        let probe = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        if probe >= 0 { close(probe) }
        let deadline = monotonicSeconds() + timeout
        repeat {
            var poller = pollfd(fd: controller, events: Int16(POLLOUT), revents: 0)
            if poll(&poller, 1, 0) >= 0, poller.revents & Int16(POLLHUP) == 0 { return true }
            usleep(20_000)
        } while monotonicSeconds() < deadline
        return false
    }

    /// Reads what the terminal side wrote, waiting up to `timeout` seconds.
    public func read(timeout: Double) -> [UInt8] {
        var poller = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(controller, &buffer, buffer.count)
        return count > 0 ? Array(buffer.prefix(count)) : []
    }

    /// Closes the controlling side: the terminal side's reader sees the device go away.
    public func hangUp() {
        if controller >= 0 {
            close(controller)
            controller = -1
        }
    }
}

/// TIOCSPTLCK and TIOCGPTN: _IOW('T', 0x31, int) and _IOR('T', 0x30, unsigned int) in the generic
/// ioctl encoding that x86-64, arm64 and riscv64 share (Swift cannot import the macros).
private let pseudoTerminalSetLock: UInt = 0x4004_5431
private let pseudoTerminalGetNumber: UInt = 0x8004_5430
