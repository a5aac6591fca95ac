#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to a file descriptor (standard output by default), flushed in large writes.
public struct OutputSink: ~Copyable {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 16

    /// Writes to `descriptor`.
    public init(descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
        buffer.reserveCapacity(flushThreshold * 2)
    }

    /// Appends bytes, flushing when the buffer is large.
    public mutating func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { flush() }
    }

    /// Appends text.
    public mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushThreshold { flush() }
    }

    /// Writes everything buffered.
    public mutating func flush() {
        _ = buffer.withUnsafeBytes { writeAll(descriptor, $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        _ = buffer.withUnsafeBytes { writeAll(descriptor, $0) }
    }

    /// Writes `text` to a new or truncated file at `path`.
    /// - Throws: ``EdgeNodeError`` naming the file and the reason.
    public static func writeFile(_ text: String, to path: String) throws(EdgeNodeError) {
        try writeFile(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to a new or truncated file at `path`.
    /// - Throws: ``EdgeNodeError`` naming the file and the reason.
    public static func writeFile(_ bytes: [UInt8], to path: String) throws(EdgeNodeError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .runtime("cannot write \(path): \(String(cString: strerror(errno)))") }
        var sink = OutputSink(descriptor: descriptor)
        sink.write(bytes)
        sink.flush()
        close(descriptor)
    }
}
