#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the call, the device or file, and errno under its readable name.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, e.g. "open /dev/ttyUSB0".
    public var operation: String
    public var errno: Int32

    /// errno's symbolic name (ENOENT, EACCES, EBUSY, EIO...).
    public var name: String { errnoNames[errno] ?? "errno \(errno)" }

    /// What errno says, in words ("Address already in use").
    public var reason: String { String(cString: strerror(errno)) }

    /// Another socket has the address (EADDRINUSE).
    public var isAddressInUse: Bool { errno == EADDRINUSE }

    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(operation): \(name) (\(reason))" }
}

/// The one choke point for system calls: `-1` plus errno becomes a ``SystemError``.
@discardableResult
func check(_ operation: @autoclosure () -> String, _ result: Int32) throws(SystemError) -> Int32 {
    guard result == -1 else { return result }
    throw SystemError(operation: operation(), errno: errno)
}

private let errnoNames: [Int32: String] = [
    EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO", EBADF: "EBADF", EAGAIN: "EAGAIN",
    ENOMEM: "ENOMEM", EACCES: "EACCES", EBUSY: "EBUSY", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EINVAL: "EINVAL",
    ENOTTY: "ENOTTY", ENOSPC: "ENOSPC", EPIPE: "EPIPE", ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED",
    ECONNRESET: "ECONNRESET", EHOSTUNREACH: "EHOSTUNREACH",
]

/// The names in a directory (without "." and ".."), empty when it cannot be read.
func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// The target of a symbolic link, nil when `path` is not one.
func linkTarget(_ path: String) -> String? {
    var target = [CChar](repeating: 0, count: 4096)
    let length = readlink(path, &target, 4095)
    return length > 0 ? String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
}
