import Glibc
import NIOConcurrencyHelpers

/// An append-only JSON Lines file with rotation and a size cap: when the file would pass
/// `rotateBytes`, it becomes `NAME.1` (the older ones shift to `.2` ... `.keep`, the oldest
/// dropped), and writing goes on in a fresh file. Lines are never split across files. Safe to use
/// from several threads; each `append` is one `write` of whole lines.
///
/// When writing fails (a full disk, a file size limit, an I/O error, a directory gone), the file
/// is cut back to its last whole line and the lines are held in memory, up to `holdBytes` (the
/// oldest dropped beyond, and counted); each later `append`, `retry` and `sync` opens the file again
/// and writes them first, so that the log keeps its order. ``health`` says what is held and lost.
/// A file deleted or moved away by someone else (`rm` to free space, logrotate) is noticed at the
/// next `sync` and a new one started, so that events never go on into a file nobody can see.
public final class EventLog: Sendable {
    /// The state of writing.
    public struct Health: Sendable, Equatable {
        /// Lines waiting in memory while writing fails.
        public var heldLines = 0
        /// Their bytes.
        public var heldBytes = 0
        /// Lines dropped since the log was opened because the hold was full.
        public var droppedLines = 0
        /// Writes that failed since the log was opened.
        public var failedWrites = 0
        /// Whether writing fails now.
        public var failing = false
        /// Why the last failed write failed (kept after writing works again).
        public var lastFailure: String?
        /// Times the file was found deleted, moved or replaced, and a new one started.
        public var restarts = 0
    }

    public let path: String
    public let rotateBytes: Int
    public let keep: Int
    /// The most bytes held in memory while writing fails (at most one file's worth).
    public let holdBytes: Int
    private let state: NIOLockedValueBox<State>

    private struct State {
        /// -1 after a failed write or open: the next attempt opens the file again.
        var descriptor: Int32
        var size: Int
        var held: [UInt8] = []
        var health = Health()
        /// Written since the last `fsync`.
        var unsynced = false
    }

    /// Opens (or creates) `path` for appending.
    /// - Throws: ``EdgeNodeError`` when the file cannot be opened at all.
    public init(path: String, rotateBytes: Int, keep: Int, holdBytes: Int = 4 << 20) throws(EdgeNodeError) {
        self.path = path
        self.rotateBytes = rotateBytes
        self.keep = keep
        self.holdBytes = min(holdBytes, rotateBytes)
        let descriptor = Self.openForAppending(path)
        guard descriptor >= 0 else { throw .runtime("cannot open \(path): \(String(cString: strerror(errno)))") }
        state = NIOLockedValueBox(State(descriptor: descriptor, size: Self.size(of: descriptor)))
    }

    deinit { state.withLockedValue { if $0.descriptor >= 0 { close($0.descriptor) } } }

    /// What is held and lost, and why writing fails if it does.
    public var health: Health { state.withLockedValue { $0.health } }

    /// Appends whole lines (each ending in a newline); held in memory if they cannot be written.
    public func append(_ lines: some Collection<UInt8>) {
        let bytes = Array(lines)
        state.withLockedValue { file in
            guard file.held.isEmpty else {
                file.held += bytes
                return flushHeld(&file)
            }
            guard let reason = write(bytes, &file) else { return }
            file.held = bytes
            noteFailure(reason, &file)
        }
    }

    /// Writes what is held, if anything is and it can (so that held lines need not wait for the
    /// next line).
    public func retry() {
        state.withLockedValue { file in
            if !file.held.isEmpty { flushHeld(&file) }
        }
    }

    /// Writes what is held, if it can, and forces what was written to disk (periodically and at
    /// shutdown, so that a power cut loses little and a stop nothing).
    public func sync() {
        state.withLockedValue { file in
            if !file.held.isEmpty { flushHeld(&file) }
            guard file.descriptor >= 0 else { return }
            if file.unsynced && fsync(file.descriptor) == 0 { file.unsynced = false }
            if !isAtPath(file.descriptor) {
                close(file.descriptor)
                file.descriptor = -1   // the next write starts a new file
                file.health.restarts += 1
            }
        }
    }

    /// Whether `path` still names the open file.
    private func isAtPath(_ descriptor: Int32) -> Bool {
        var open = stat(), named = stat()
        return fstat(descriptor, &open) == 0 && stat(path, &named) == 0 && open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// Writes the held lines (the new ones last); on failure the oldest beyond the hold are dropped.
    private func flushHeld(_ file: inout State) {
        guard let reason = write(file.held, &file) else {
            file.held.removeAll()
            file.health.heldLines = 0
            file.health.heldBytes = 0
            file.health.failing = false
            return
        }
        noteFailure(reason, &file)
    }

    /// Counts a failed write of `file.held` and trims the hold to its cap, oldest lines first (the
    /// newest line is kept whatever its size).
    private func noteFailure(_ reason: String, _ file: inout State) {
        file.health.failing = true
        file.health.lastFailure = reason
        file.health.failedWrites += 1
        var cut = 0
        var dropped = 0
        let lastLineStart = file.held.dropLast().lastIndex(of: lineFeed).map { $0 + 1 } ?? 0
        while file.held.count - cut > holdBytes && cut < lastLineStart {
            cut = (file.held[cut...].firstIndex(of: lineFeed) ?? file.held.count - 1) + 1
            dropped += 1
        }
        if dropped > 0 {
            file.held.removeFirst(cut)
            file.health.droppedLines += dropped
        }
        file.health.heldBytes = file.held.count
        file.health.heldLines = file.held.count { $0 == lineFeed }
    }

    /// Writes `bytes` at the end of the file, rotating first when they would pass the cap; nil on
    /// success, else the reason, with the file cut back to what it held before and closed.
    private func write(_ bytes: [UInt8], _ file: inout State) -> String? {
        if file.descriptor < 0 {
            file.descriptor = Self.openForAppending(path)
            guard file.descriptor >= 0 else { return String(cString: strerror(errno)) }
            file.size = Self.size(of: file.descriptor)
        }
        if file.size > 0 && file.size + bytes.count > rotateBytes {
            rotate(&file)
            guard file.descriptor >= 0 else { return String(cString: strerror(errno)) }
        }
        errno = 0
        let written = bytes.withUnsafeBytes { writeAll(file.descriptor, $0) }
        guard written < bytes.count else {
            file.size += written
            file.unsynced = true
            return nil
        }
        let reason = errno == 0 ? "the system wrote nothing" : String(cString: strerror(errno))
        // A part of a line would break every reader of the file.
        ftruncate(file.descriptor, off_t(file.size))
        close(file.descriptor)
        file.descriptor = -1
        return reason
    }

    private func rotate(_ file: inout State) {
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

    private static func size(of descriptor: Int32) -> Int {
        var status = stat()
        fstat(descriptor, &status)
        return Int(status.st_size)
    }
}

private let lineFeed = UInt8(ascii: "\n")
