import NMEAParser
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file or standard input in fixed-size chunks into one reused buffer.
public struct ByteSource: ~Copyable {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The path read, or `-` for standard input (used in messages).
    public let name: String

    /// Opens `path`, or standard input for nil or `-`.
    /// - Throws: ``EdgeNodeError`` naming the file and the reason.
    public init(path: String?) throws(EdgeNodeError) {
        guard let path, path != "-" else {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
            name = "-"
            return
        }
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else {
            throw EdgeNodeError.input("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        descriptor = opened
        ownsDescriptor = true
        name = path
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Calls `body` with each chunk until end of input.
    /// - Throws: ``EdgeNodeError`` on a read error.
    public func forEachChunk(size: Int = 1 << 16, _ body: (UnsafeRawBufferPointer) throws(EdgeNodeError) -> Void) throws(EdgeNodeError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, size)
            if count == 0 { return }
            if count < 0 {
                if errno == EINTR { continue }
                throw EdgeNodeError.runtime("cannot read \(name): \(String(cString: strerror(errno)))")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The line (from 1) that stream offset `offset` is on, found by reading the input again from
    /// its start; nil when it cannot be read again (a pipe).
    public func lineNumber(atOffset offset: Int) -> Int? {
        let size = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var lines = LineCounter()
        var position = 0
        while position < offset {
            let count = pread(descriptor, buffer.baseAddress, min(size, offset - position), off_t(position))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            lines.count(UnsafeRawBufferPointer(buffer), startingAt: position, upTo: position + count)
            position += count
        }
        return lines.line
    }

    /// Reads everything that is left.
    /// - Throws: ``EdgeNodeError`` on a read error.
    public func readAll() throws(EdgeNodeError) -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk { chunk throws(EdgeNodeError) in bytes.append(contentsOf: chunk) }
        return bytes
    }
}
