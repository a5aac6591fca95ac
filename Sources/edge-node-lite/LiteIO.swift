import CLiteSupport
import JSONText

/// A failure the command reports on standard error before it exits.
struct LiteError: Error {
    let message: String
    /// 2 for a command line that does not parse, 1 for everything else (as edge-node).
    var exitCode: Int32 = 1

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The last system call's failure, about `path`.
    static func system(_ path: String) -> LiteError {
        LiteError("\(path): \(String(cString: lite_error_text()))")
    }
}

/// A file or standard input (`-`), read in chunks.
struct InputFile: ~Copyable {
    let name: String
    private let descriptor: Int32

    init(path: String) throws(LiteError) {
        name = path
        descriptor = lite_open_read(path)
        guard descriptor >= 0 else { throw .system(path) }
    }

    deinit { lite_close(descriptor) }

    /// Calls `body` with each chunk read, up to the end.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) -> Void) throws(LiteError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = lite_read(descriptor, buffer.baseAddress, UInt(buffer.count))
            guard count >= 0 else { throw .system(name) }
            if count == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Every byte, to the end.
    func readAll() throws(LiteError) -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk { bytes.append(contentsOf: $0) }
        return bytes
    }
}

/// Standard output and standard error.
enum Output {
    static func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        _ = lite_write_all(1, bytes.baseAddress, UInt(bytes.count))
    }

    /// Writes what `writer` holds and empties it.
    static func write(_ writer: inout JSONWriter) {
        writer.withBytes { write($0) }
        writer.removeAll()
    }

    static func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0) }
    }

    static func error(_ text: String) {
        var text = text
        text.withUTF8 { _ = lite_write_all(2, $0.baseAddress, UInt($0.count)) }
    }
}
