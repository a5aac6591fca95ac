/// Splits a byte stream, fed in chunks of any size, into NMEA 0183 sentences.
///
/// The framer never parses meaning. It finds `$` or `!`, collects printable characters up to the
/// line end, verifies the checksum when one is present, and hands each sentence to the caller as a
/// borrowed ``NMEASentence`` view. It resynchronises after garbage, binary frames (UBX, SiRF) and
/// truncated lines, and counts every discarded run of bytes by reason in ``discards``.
///
/// Steady state allocates nothing: a sentence inside one chunk is delivered in place after one
/// pass over its bytes, the buffer for sentences that span chunks is allocated once, and the
/// field table lives on the stack.
public struct NMEAFramer: Sendable {
    /// What to do with a sentence whose checksum does not match.
    public enum ChecksumPolicy: Sendable {
        /// Discard it and count it under ``Discards/badChecksum``.
        case reject
        /// Deliver it with ``NMEASentence/checksum`` set to ``NMEASentence/ChecksumStatus/mismatch``.
        case acceptAndFlag
    }

    /// Framer settings.
    public struct Configuration: Sendable {
        /// The longest sentence accepted, in characters from `$` through the checksum and CR LF.
        /// NMEA 0183 allows 82; high-precision receivers exceed it.
        public var maximumLength: Int
        /// Extra characters tolerated beyond ``maximumLength`` before a line counts as too long.
        public var lengthTolerance: Int
        /// Policy for checksum mismatches.
        public var checksumPolicy: ChecksumPolicy

        /// Creates a configuration; the defaults accept 82 characters plus 40 of tolerance.
        public init(maximumLength: Int = 82, lengthTolerance: Int = 40, checksumPolicy: ChecksumPolicy = .reject) {
            self.maximumLength = maximumLength
            self.lengthTolerance = lengthTolerance
            self.checksumPolicy = checksumPolicy
        }
    }

    /// Counts of discarded input, by reason. Byte counts include every byte that did not reach a
    /// delivered sentence (line ends excepted).
    public struct Discards: Sendable, Equatable {
        /// Bytes outside any sentence: noise, binary frames, text before the first `$`.
        public var garbageBytes = 0
        /// Sentences cut short by a new `$`, a control byte or a non-ASCII byte.
        public var truncated = 0
        /// Bytes of those truncated sentences.
        public var truncatedBytes = 0
        /// Lines longer than the configured maximum plus tolerance.
        public var tooLong = 0
        /// Bytes of those lines.
        public var tooLongBytes = 0
        /// Sentences whose checksum did not match (rejected under ``ChecksumPolicy/reject``).
        public var badChecksum = 0
        /// Bytes of those sentences.
        public var badChecksumBytes = 0
        /// Sentences whose `*` was not followed by two hexadecimal digits.
        public var malformedChecksum = 0
        /// Bytes of those sentences.
        public var malformedChecksumBytes = 0

        /// Total bytes discarded for any reason.
        public var totalBytes: Int { garbageBytes + truncatedBytes + tooLongBytes + badChecksumBytes + malformedChecksumBytes }
    }

    /// The settings in force.
    public let configuration: Configuration
    /// Discarded input so far.
    public private(set) var discards = Discards()
    /// Bytes consumed so far (the stream offset of the next byte).
    public private(set) var bytesConsumed = 0
    /// Sentences delivered so far.
    public private(set) var sentencesDelivered = 0

    /// A line begun in an earlier chunk: its first bytes (at most `lineCapacity`) and its full length.
    private var pending: [UInt8]
    private var pendingLength = 0
    private var pendingOffset = 0
    private var inSentence = false
    private let lineCapacity: Int

    /// Creates a framer.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        // Without CR LF: the longest accepted text from `$` to the last checksum digit.
        lineCapacity = max(8, configuration.maximumLength + configuration.lengthTolerance - 2)
        pending = []
        pending.reserveCapacity(lineCapacity)
    }

    /// Feeds a chunk of bytes; `body` is called once for each complete sentence, in order.
    ///
    /// The sentence passed to `body` borrows the chunk (or the framer's buffer, for a sentence
    /// that spans chunks) and is valid only during the call.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (NMEASentence) throws -> Void) rethrows {
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: lineCapacity + 2) { starts in
            try bytes.withMemoryRebound(to: UInt8.self) { input in
                let count = input.count
                var index = inSentence ? try continuePending(input, starts, body) : 0
                while index < count {
                    let byte = input[index]
                    guard isSentenceStart(byte) else {
                        if byte != carriageReturn && byte != lineFeed { discards.garbageBytes += 1 }
                        index += 1
                        continue
                    }
                    let line = LineScan(input, from: index, fieldStarts: starts)
                    if line.end == count {
                        openPending(UnsafeBufferPointer(rebasing: input[index..<count]), offset: bytesConsumed + index)
                        break
                    }
                    index = try lineStopped(at: input[line.end], line, text: UnsafeBufferPointer(rebasing: input[index..<line.end]),
                                            offset: bytesConsumed + index, starts, body)
                }
                bytesConsumed += count
            }
        }
    }

    /// Feeds bytes from any collection (convenience for tests and small inputs; copies them).
    public mutating func feed<C: Collection>(_ bytes: C, _ body: (NMEASentence) throws -> Void) rethrows where C.Element == UInt8 {
        try Array(bytes).withUnsafeBytes { try feed($0, body) }
    }

    /// Ends the stream: an unterminated last sentence is delivered if it is complete and valid
    /// (its checksum matches or it has none), and counted as truncated otherwise.
    public mutating func finish(_ body: (NMEASentence) throws -> Void) rethrows {
        if inSentence {
            inSentence = false
            try withUnsafeTemporaryAllocation(of: Int32.self, capacity: lineCapacity + 2) { try completePending($0, body) }
        }
    }

    /// Carries the pending line into this chunk; returns the index of the first byte after it.
    private mutating func continuePending(_ input: UnsafeBufferPointer<UInt8>, _ starts: UnsafeMutableBufferPointer<Int32>,
                                          _ body: (NMEASentence) throws -> Void) rethrows -> Int {
        var end = 0
        while end < input.count, isSentenceByte(input[end]) { end += 1 }
        appendPending(UnsafeBufferPointer(rebasing: input[0..<end]))
        guard end < input.count else { return end }
        inSentence = false
        let stop = input[end]
        if stop == carriageReturn || stop == lineFeed {
            try completePending(starts, body)
            return end + 1
        }
        countTruncated(length: pendingLength)
        if isSentenceStart(stop) { return end }
        discards.garbageBytes += 1
        return end + 1
    }

    /// Handles the byte that ended a line's printable run; returns where scanning resumes.
    @inline(__always)
    private mutating func lineStopped(at stop: UInt8, _ line: LineScan, text: UnsafeBufferPointer<UInt8>, offset: Int,
                                      _ starts: UnsafeMutableBufferPointer<Int32>, _ body: (NMEASentence) throws -> Void) rethrows -> Int {
        if stop == carriageReturn || stop == lineFeed {
            try complete(text, line, offset: offset, starts, body)
            return line.end + 1
        }
        // A new sentence start, a control byte or a non-ASCII byte cut the line.
        countTruncated(length: text.count)
        if isSentenceStart(stop) { return line.end }
        discards.garbageBytes += 1
        return line.end + 1
    }

    private mutating func openPending(_ text: UnsafeBufferPointer<UInt8>, offset: Int) {
        pending.removeAll(keepingCapacity: true)
        pendingLength = 0
        pendingOffset = offset
        inSentence = true
        appendPending(text)
    }

    private mutating func appendPending(_ text: UnsafeBufferPointer<UInt8>) {
        pendingLength += text.count
        let room = lineCapacity - pending.count
        pending.append(contentsOf: UnsafeBufferPointer(rebasing: text.prefix(room)))
    }

    private mutating func completePending(_ starts: UnsafeMutableBufferPointer<Int32>, _ body: (NMEASentence) throws -> Void) rethrows {
        guard pendingLength <= lineCapacity else {
            countTooLong(length: pendingLength)
            return
        }
        var line = [UInt8]()
        swap(&line, &pending)
        defer { swap(&line, &pending) }
        try line.withUnsafeBufferPointer { text in
            try complete(text, LineScan(text, from: 0, fieldStarts: starts), offset: pendingOffset, starts, body)
        }
    }

    private mutating func countTruncated(length: Int) {
        discards.truncated += 1
        discards.truncatedBytes += length
    }

    private mutating func countTooLong(length: Int) {
        discards.tooLong += 1
        discards.tooLongBytes += length
    }

    /// Checks a whole line (from `$` to the last byte before CR LF), scanned into `line` and
    /// `starts`, and delivers it.
    private mutating func complete(_ text: UnsafeBufferPointer<UInt8>, _ line: LineScan, offset: Int,
                                   _ starts: UnsafeMutableBufferPointer<Int32>, _ body: (NMEASentence) throws -> Void) rethrows {
        let length = text.count
        guard length <= lineCapacity else { return countTooLong(length: length) }
        guard length >= 2 else { return countTruncated(length: length) }
        var end = length
        var status = NMEASentence.ChecksumStatus.absent
        // The last '*' must be followed by exactly two hex digits; a line without one at length - 3
        // has no checksum if it has no '*' at all.
        let hasChecksum = length >= 3 && text[length - 3] == UInt8(ascii: "*")
        if hasChecksum || text.contains(UInt8(ascii: "*")) {
            let star = length - 3
            guard hasChecksum, let high = hexValue(text[star + 1]), let low = hexValue(text[star + 2]) else {
                discards.malformedChecksum += 1
                discards.malformedChecksumBytes += length
                return
            }
            if line.checksum ^ UInt8(ascii: "*") ^ text[star + 1] ^ text[star + 2] == high << 4 | low {
                status = .valid
            } else if configuration.checksumPolicy == .reject {
                discards.badChecksum += 1
                discards.badChecksumBytes += length
                return
            } else {
                status = .mismatch
            }
            end = star
        }
        sentencesDelivered += 1
        starts[line.fieldCount] = Int32(end + 1)
        try body(NMEASentence(text: UnsafeBufferPointer(rebasing: text[0..<end]),
                              fieldStarts: UnsafeBufferPointer(rebasing: starts[0...line.fieldCount]),
                              checksum: status, streamOffset: offset))
    }
}

/// One pass over a line from its `$`: where its printable run ends, the XOR of every byte after
/// the `$`, and the start of each field (written to `fieldStarts`, relative to the `$`; only as
/// many as fit, since a line with more is too long anyway).
struct LineScan {
    /// Index in the input of the byte that ended the run (the input's count if none did).
    var end: Int
    var checksum: UInt8 = 0
    var fieldCount = 1

    @inline(__always)
    init(_ input: UnsafeBufferPointer<UInt8>, from start: Int, fieldStarts: UnsafeMutableBufferPointer<Int32>) {
        fieldStarts[0] = 1
        let room = fieldStarts.count - 1
        var index = start + 1
        var sum: UInt8 = 0
        var fields = 1
        // Wrapping arithmetic: positions are bounded by the input's count.
        @inline(__always) func field(at position: Int) {
            if fields < room { fieldStarts[fields] = Int32(truncatingIfNeeded: position &- start &+ 1) }
            fields &+= 1
        }
        // Eight bytes at a time (SWAR): a mask of the commas and, in a word that may end the run,
        // of the bytes that do, each the high bit of its byte.
        if let base = input.baseAddress {
            var wordSum: UInt64 = 0
            var stopped = false
            while index + 8 <= input.count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                var valid = UInt64.max
                // A quick test first, exact as to whether any byte is below 0x25 (controls, space,
                // '!', '$' and three rare printables) or above 0x7E; only such a word can end the run.
                if ((word &- 0x25 * lowBits) & ~word | (word &+ lowBits) | word) & highBits != 0 {
                    let stops = (word & highBits) | zeroBytes(word ^ 0x7F * lowBits) | zeroBytes(word ^ 0x24 * lowBits)
                        | zeroBytes(word ^ 0x21 * lowBits) | (~((word & ~highBits) &+ 0x60 * lowBits) & ~word & highBits)
                    if stops != 0 {
                        let kept = stops.trailingZeroBitCount & ~7
                        valid = kept == 0 ? 0 : UInt64.max >> (64 - kept)
                        stopped = true
                    }
                }
                var commas = zeroBytes(word ^ 0x2C * lowBits) & valid
                while commas != 0 {
                    field(at: index &+ commas.trailingZeroBitCount &>> 3)
                    commas &= commas &- 1
                }
                wordSum ^= word & valid
                if stopped {
                    index += valid.nonzeroBitCount >> 3
                    break
                }
                index += 8
            }
            wordSum ^= wordSum >> 32
            wordSum ^= wordSum >> 16
            wordSum ^= wordSum >> 8
            sum = UInt8(truncatingIfNeeded: wordSum)
            if !stopped {
                while index < input.count {
                    let byte = input[index]
                    guard isSentenceByte(byte) else { break }
                    sum ^= byte
                    if byte == UInt8(ascii: ",") { field(at: index) }
                    index += 1
                }
            }
        }
        end = index
        checksum = sum
        fieldCount = fields
    }
}

private let lowBits: UInt64 = 0x0101_0101_0101_0101
private let highBits: UInt64 = 0x8080_8080_8080_8080

private let carriageReturn: UInt8 = 0x0D
private let lineFeed: UInt8 = 0x0A

@inline(__always)
private func isSentenceStart(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "$") || byte == UInt8(ascii: "!") }

/// The high bit of each byte of `word` that is zero, exactly (no false positives).
@inline(__always)
private func zeroBytes(_ word: UInt64) -> UInt64 {
    ~(((word & ~highBits) &+ ~highBits) | word | ~highBits)
}

/// Printable ASCII other than a sentence start: a byte that continues a line.
@inline(__always)
private func isSentenceByte(_ byte: UInt8) -> Bool {
    byte &- 0x20 < 0x5F && !isSentenceStart(byte)
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    default: return nil
    }
}
