import FoundationEssentials
import Glibc

/// The directory part of a path: what precedes its last `/` (`/` itself for `/name`), empty for
/// a bare name, so that a relative path is joined onto it only when it is not empty.
func directoryName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// Creates a directory and its missing parents, as `mkdir -p`.
/// - Throws: ``EdgeNodeError`` naming the directory and the system's reason.
func createDirectories(_ path: String) throws(EdgeNodeError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
        prefix += component
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .runtime("cannot create \(path): \(String(cString: strerror(errno)))") }
        prefix += "/"
    }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .runtime("cannot create \(path): a file is in the way") }
}

/// A file or FIFO read in blocks of an exact size, without ever blocking: opened without waiting
/// for a FIFO's writer, read as far as bytes are there. Closed when released.
final class BlockReader {
    /// What a read gave.
    enum Outcome {
        /// The next block.
        case block([UInt8])
        /// Not a whole block yet: the file's end, a FIFO without a writer or with nothing written.
        case waiting
        /// The file cannot be opened or read (the reason names it); opening is tried again at
        /// the next read.
        case failed(String)
    }

    let path: String
    private var descriptor: Int32 = -1
    private var pending: [UInt8] = []

    init(path: String) { self.path = path }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The next `count` bytes if they are all there.
    func read(_ count: Int) -> Outcome {
        if descriptor < 0 {
            descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { return .failed("cannot open \(path): \(String(cString: strerror(errno)))") }
        }
        pending.reserveCapacity(count)
        while pending.count < count {
            let wanted = count - pending.count
            let got = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: wanted) { buffer in
                let got = Glibc.read(descriptor, buffer.baseAddress, wanted)
                if got > 0 { pending.append(contentsOf: buffer.prefix(got)) }
                return got
            }
            if got > 0 { continue }
            if got == 0 || errno == EAGAIN { return .waiting }
            if errno == EINTR { continue }
            let reason = "cannot read \(path): \(String(cString: strerror(errno)))"
            close(descriptor)
            descriptor = -1
            return .failed(reason)
        }
        defer { pending.removeAll(keepingCapacity: true) }
        return .block(pending)
    }
}

/// Writes all of `bytes` unless the system refuses; returns how many were written (fewer after
/// an error, with `errno` set).
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    var written = 0
    while written < bytes.count {
        let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        written += count
    }
    return written
}

/// Replaces `path` with `bytes` at once: written to `path.tmp`, then renamed over it, so that a
/// reader, or a run that resumes after a crash, sees the old file or the new one, never a part.
/// - Throws: ``EdgeNodeError`` naming the file and the system's reason.
func replaceFile(_ path: String, with bytes: some Collection<UInt8>) throws(EdgeNodeError) {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .runtime("cannot write \(temporary): \(String(cString: strerror(errno)))") }
    let bytes = Array(bytes)
    let written = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
    let reason = String(cString: strerror(errno))
    close(descriptor)
    guard written == bytes.count else { throw .runtime("cannot write \(temporary): \(reason)") }
    guard rename(temporary, path) == 0 else { throw .runtime("cannot replace \(path): \(String(cString: strerror(errno)))") }
}

/// Replaces `path` with `value` encoded as JSON, at once (as ``replaceFile(_:with:)``).
/// - Throws: ``EdgeNodeError`` naming what failed.
func replaceFile(_ path: String, withJSONOf value: some Encodable) throws(EdgeNodeError) {
    let encoded: Data
    do { encoded = try JSONEncoder().encode(value) } catch { throw .runtime("cannot encode \(path): \(error)") }
    try replaceFile(path, with: encoded)
}

/// A file written at its end and kept open: cut to `keeping` bytes when opened (what a journal
/// says was written before), then appended to.
final class ReportFile {
    let path: String
    private let descriptor: Int32
    /// Bytes in the file.
    private(set) var size: Int

    /// Opens or creates `path` and cuts it to `length` bytes.
    /// - Throws: ``EdgeNodeError`` naming the file and the system's reason.
    init(path: String, keeping length: Int) throws(EdgeNodeError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .runtime("cannot write \(path): \(String(cString: strerror(errno)))") }
        guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, 0, SEEK_END) >= 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .runtime("cannot write \(path): \(reason)")
        }
        size = length
    }

    deinit { close(descriptor) }

    /// Appends `bytes`.
    /// - Throws: ``EdgeNodeError`` naming the file and the system's reason.
    func append(_ bytes: [UInt8]) throws(EdgeNodeError) {
        let written = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
        size += written
        guard written == bytes.count else { throw .runtime("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
