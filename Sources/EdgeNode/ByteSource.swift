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
        if path == nil || path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
            name = "-"
        } else if let path {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                throw EdgeNodeError.input("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            descriptor = opened
            ownsDescriptor = true
            name = path
        } else {
            fatalError("unreachable")
        }
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

    /// Reads everything that is left.
    /// - Throws: ``EdgeNodeError`` on a read error.
    public func readAll() throws(EdgeNodeError) -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk { chunk throws(EdgeNodeError) in bytes.append(contentsOf: chunk) }
        return bytes
    }
}
