/// Splits a byte stream, fed in chunks of any size, into NMEA 0183 sentences.
///
/// The framer never parses meaning. It finds `$` or `!`, collects printable characters up to the
/// line end, verifies the checksum when one is present, and hands each sentence to the caller as a
/// borrowed ``NMEASentence`` view. It resynchronises after garbage, binary frames (UBX, SiRF) and
/// truncated lines, and counts every discarded run of bytes by reason in ``discards``.
///
/// Steady state allocates nothing: the sentence buffer and the field table are allocated once.
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

    private var line: [UInt8]
    private var fieldStarts: [Int32]
    private var inSentence = false
    private var overflowed = false
    private var lineStartOffset = 0
    private let lineCapacity: Int

    /// Creates a framer.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        // Without CR LF: the longest accepted text from `$` to the last checksum digit.
        lineCapacity = max(8, configuration.maximumLength + configuration.lengthTolerance - 2)
        line = [UInt8]()
        line.reserveCapacity(lineCapacity)
        fieldStarts = [Int32]()
        fieldStarts.reserveCapacity(lineCapacity + 1)
    }

    /// Feeds a chunk of bytes; `body` is called once for each complete sentence, in order.
    ///
    /// The sentence passed to `body` borrows the framer's buffers and is valid only during the call.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (NMEASentence) throws -> Void) rethrows {
        for byte in bytes {
            try consume(byte, body)
        }
    }

    /// Feeds bytes from any collection (convenience for tests and small inputs).
    public mutating func feed<C: Collection>(_ bytes: C, _ body: (NMEASentence) throws -> Void) rethrows where C.Element == UInt8 {
        for byte in bytes {
            try consume(byte, body)
        }
    }

    /// Ends the stream: an unterminated last sentence is delivered if it is complete and valid
    /// (its checksum matches or it has none), and counted as truncated otherwise.
    public mutating func finish(_ body: (NMEASentence) throws -> Void) rethrows {
        if inSentence {
            try endOfLine(body)
        }
    }

    @inline(__always)
    private mutating func consume(_ byte: UInt8, _ body: (NMEASentence) throws -> Void) rethrows {
        defer { bytesConsumed += 1 }
        if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "!") {
            if inSentence { discardLine(truncated: true) }
            startLine(byte)
            return
        }
        guard inSentence else {
            if byte != 0x0D && byte != 0x0A { discards.garbageBytes += 1 }
            return
        }
        if byte == 0x0D || byte == 0x0A {
            try endOfLine(body)
            return
        }
        if byte < 0x20 || byte > 0x7E {
            // Binary data inside a line: the line was cut; the byte itself is garbage.
            discardLine(truncated: true)
            discards.garbageBytes += 1
            return
        }
        if overflowed || line.count == lineCapacity {
            overflowed = true
            discards.tooLongBytes += 1
            return
        }
        line.append(byte)
    }

    private mutating func startLine(_ byte: UInt8) {
        line.removeAll(keepingCapacity: true)
        line.append(byte)
        inSentence = true
        overflowed = false
        lineStartOffset = bytesConsumed
    }

    private mutating func discardLine(truncated: Bool) {
        if truncated {
            discards.truncated += 1
            discards.truncatedBytes += line.count
        }
        inSentence = false
        line.removeAll(keepingCapacity: true)
    }

    private mutating func endOfLine(_ body: (NMEASentence) throws -> Void) rethrows {
        inSentence = false
        if overflowed {
            discards.tooLong += 1
            discards.tooLongBytes += line.count
            line.removeAll(keepingCapacity: true)
            return
        }
        guard line.count >= 2 else {
            discards.truncated += 1
            discards.truncatedBytes += line.count
            return
        }
        // Find the checksum delimiter: the last '*' must be followed by exactly two hex digits.
        var end = line.count
        var status = NMEASentence.ChecksumStatus.absent
        if let star = line.lastIndex(of: UInt8(ascii: "*")) {
            guard star == line.count - 3,
                  let high = hexValue(line[star + 1]), let low = hexValue(line[star + 2]) else {
                discards.malformedChecksum += 1
                discards.malformedChecksumBytes += line.count
                return
            }
            var sum: UInt8 = 0
            for index in 1..<star { sum ^= line[index] }
            if sum == high << 4 | low {
                status = .valid
            } else if configuration.checksumPolicy == .reject {
                discards.badChecksum += 1
                discards.badChecksumBytes += line.count
                return
            } else {
                status = .mismatch
            }
            end = star
        }
        fieldStarts.removeAll(keepingCapacity: true)
        fieldStarts.append(1)
        for index in 1..<end where line[index] == UInt8(ascii: ",") {
            fieldStarts.append(Int32(index + 1))
        }
        fieldStarts.append(Int32(end + 1))
        sentencesDelivered += 1
        let offset = lineStartOffset
        try line.withUnsafeBufferPointer { text in
            try fieldStarts.withUnsafeBufferPointer { starts in
                try body(NMEASentence(text: UnsafeBufferPointer(rebasing: text[0..<end]), fieldStarts: starts,
                                      checksum: status, streamOffset: offset))
            }
        }
    }
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
