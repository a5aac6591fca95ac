/// One framed NMEA sentence: a borrowed view of the input (or of the framer's buffer), valid only inside the
/// framer's callback. Decode it (``NMEADecoder``) or copy what you need before returning.
///
/// Field 0 is the address (`GPGGA`, `PSRFEPE`); data fields follow. The checksum is not a field.
public struct NMEASentence {
    /// Whether the sentence carried a checksum, and whether it matched.
    public enum ChecksumStatus: Sendable {
        /// The sentence had no `*hh` suffix; NMEA allows that for some sentences.
        case absent
        /// The checksum matched.
        case valid
        /// The checksum did not match (delivered only under ``NMEAFramer/ChecksumPolicy/acceptAndFlag``).
        case mismatch
    }

    /// The text from `$` (or `!`) up to, not including, the `*`.
    public let text: UnsafeBufferPointer<UInt8>
    let fieldStarts: UnsafeBufferPointer<Int32>
    /// The checksum status.
    public let checksum: ChecksumStatus
    /// Offset in the input stream of the sentence's first byte.
    public let streamOffset: Int

    /// Number of fields, the address included.
    @inline(__always)
    public var fieldCount: Int { fieldStarts.count - 1 }

    /// Field `index` (0 is the address); an index past the end gives an empty field.
    @inline(__always)
    public subscript(index: Int) -> NMEAField {
        guard index < fieldCount else { return NMEAField(bytes: UnsafeBufferPointer(rebasing: text[text.count...]), index: index) }
        // The framer recorded ascending starts within the text: no range checks needed.
        let start = Int(fieldStarts[index])
        let end = Int(fieldStarts[index &+ 1]) &- 1
        return NMEAField(bytes: UnsafeBufferPointer(start: text.baseAddress.unsafelyUnwrapped + start, count: end &- start), index: index)
    }

    /// The address field parsed into talker and sentence type.
    public var address: NMEAAddress { NMEAAddress(self[0].bytes) }

    /// The sentence as a `String` (allocates; for messages and tests).
    public var string: String { String(decoding: text, as: UTF8.self) }
}
