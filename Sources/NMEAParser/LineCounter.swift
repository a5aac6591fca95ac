/// Line numbers of stream offsets (a sentence's ``NMEASentence/streamOffset``), counted from the
/// stream's chunks as they pass, in order: for messages, off the framer's path, which counts no lines.
public struct LineCounter {
    private var lineFeeds = 0
    private var position = 0

    /// Starts at offset 0, line 1.
    public init() {}

    /// The line (from 1) of the offset counted up to.
    public var line: Int { lineFeeds + 1 }

    /// Counts the line feeds of `chunk`, which starts at stream offset `chunkStart`, up to `end`
    /// (from where the last count stopped; an `end` before it counts nothing).
    public mutating func count(_ chunk: UnsafeRawBufferPointer, startingAt chunkStart: Int, upTo end: Int) {
        guard end > position else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: chunk[(position - chunkStart)..<(end - chunkStart)])
        // Eight bytes at a time: the high bit of each byte that is a line feed, exactly, then
        // those bits summed by one multiplication into the top byte.
        var found = 0
        var index = 0
        while index &+ 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ 0x0A * lowBits
            found &+= Int(truncatingIfNeeded: ((zeroBytes(word) >> 7) &* lowBits) >> 56)
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
