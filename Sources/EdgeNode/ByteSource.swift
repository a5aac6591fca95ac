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

    /// The line (from 1) that the sentence at stream offset `offset` is on, and its address field,
    /// found by reading the input again; nil when it cannot be read again (a pipe).
    public func sentence(atOffset offset: Int) -> (line: Int, address: String)? {
        let size = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        func readAt(_ position: Int, _ count: Int) -> Int? {
            while true {
                let got = pread(descriptor, buffer.baseAddress, count, off_t(position))
                if got < 0 && errno == EINTR { continue }
                return got > 0 ? got : nil
            }
        }
        var lines = LineCounter()
        var position = 0
        while position < offset {
            guard let count = readAt(position, min(size, offset - position)) else { return nil }
            lines.count(UnsafeRawBufferPointer(buffer), startingAt: position, upTo: position + count)
            position += count
        }
        // The address: after the `$` up to the first comma or star.
        guard let count = readAt(offset, 32) else { return nil }
        let address = buffer.prefix(count).dropFirst().prefix { $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "*") && $0 >= 0x20 }
        return (lines.line, String(decoding: address, as: UTF8.self))
    }

    /// Reads everything that is left.
    /// - Throws: ``EdgeNodeError`` on a read error.
    public func readAll() throws(EdgeNodeError) -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk { chunk throws(EdgeNodeError) in bytes.append(contentsOf: chunk) }
        return bytes
    }
}

/// Line numbers of stream offsets (a sentence's `streamOffset`), counted from the stream's chunks
/// as they pass, in order: for messages, off the parser's path, which counts no lines (carrying a
/// line in every sentence cost the library 3 % more instructions; bench/RESULTS.md).
struct LineCounter {
    private var lineFeeds = 0
    private var position = 0

    /// The line (from 1) of the offset counted up to.
    var line: Int { lineFeeds + 1 }

    /// Counts the line feeds of `chunk`, which starts at stream offset `chunkStart`, up to `end`
    /// (from where the last count stopped; an `end` before it counts nothing).
    mutating func count(_ chunk: UnsafeRawBufferPointer, startingAt chunkStart: Int, upTo end: Int) {
        guard end > position else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: chunk[(position - chunkStart)..<(end - chunkStart)])
        // Eight bytes at a time: the high bit of each byte that is a line feed, exactly, then
        // those bits summed by one multiplication into the top byte.
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var found = 0
        var index = 0
        while index &+ 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let lineFeeds = ~(((word & low) &+ low) | word | low)
            found &+= Int(truncatingIfNeeded: ((lineFeeds >> 7) &* 0x0101_0101_0101_0101) >> 56)
            index &+= 8
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") { found &+= 1 }
            index &+= 1
        }
        lineFeeds += found
        position = end
    }
}
