import Glibc
import Synchronization

/// An append-only JSON Lines file with rotation and a size cap: when the file would pass
/// `rotateBytes`, it becomes `NAME.1` (the older ones shift to `.2` ... `.keep`, the oldest
/// dropped), and writing goes on in a fresh file. Lines are never split across files. Safe to use
/// from several threads; each `append` is one `write` of whole lines.
public final class EventLog: Sendable {
    public let path: String
    public let rotateBytes: Int
    public let keep: Int
    private let state: Mutex<(descriptor: Int32, size: Int)>

    /// Opens (or creates) `path` for appending.
    public init(path: String, rotateBytes: Int, keep: Int) throws(EdgeNodeError) {
        self.path = path
        self.rotateBytes = rotateBytes
        self.keep = keep
        let descriptor = Self.openForAppending(path)
        guard descriptor >= 0 else { throw .runtime("cannot open \(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        fstat(descriptor, &status)
        state = Mutex((descriptor, Int(status.st_size)))
    }

    deinit { state.withLock { _ = close($0.descriptor) } }

    /// Appends whole lines (each ending in a newline).
    public func append(_ lines: some Collection<UInt8>) {
        let bytes = Array(lines)
        state.withLock { file in
            if file.size > 0 && file.size + bytes.count > rotateBytes { rotate(&file) }
            file.size += bytes.withUnsafeBytes { writeAll(file.descriptor, $0) }
        }
    }

    /// Forces what was written to disk (at shutdown, so that nothing is lost).
    public func sync() {
        state.withLock { _ = fsync($0.descriptor) }
    }

    private func rotate(_ file: inout (descriptor: Int32, size: Int)) {
        fsync(file.descriptor)
        close(file.descriptor)
        unlink("\(path).\(keep)")
        for index in stride(from: keep - 1, through: 1, by: -1) { rename("\(path).\(index)", "\(path).\(index + 1)") }
        rename(path, "\(path).1")
        file.descriptor = Self.openForAppending(path)
        file.size = 0
    }

    private static func openForAppending(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
    }
}
