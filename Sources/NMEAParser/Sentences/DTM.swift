/// DTM: the datum positions refer to, and its offsets from the reference datum.
public struct DTM: Sendable, Equatable {
    /// Local datum code (`W84`, `P90`, `999` user-defined), up to 8 characters, packed ASCII.
    public var localDatum: ShortCode
    /// Reference datum code, packed ASCII.
    public var referenceDatum: ShortCode
    /// Latitude offset in minutes, negative south.
    @CompactOptional public var latitudeOffsetMinutes: Double? = nil
    /// Longitude offset in minutes, negative west.
    @CompactOptional public var longitudeOffsetMinutes: Double? = nil
    @CompactOptional public var altitudeOffsetMetres: Double? = nil

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 3)
        localDatum = ShortCode(s[1])
        if let offset = try s[3].double() { latitudeOffsetMinutes = s[4].first == UInt8(ascii: "S") ? -offset : offset }
        if let offset = try s[5].double() { longitudeOffsetMinutes = s[6].first == UInt8(ascii: "W") ? -offset : offset }
        altitudeOffsetMetres = try s[7].double()
        referenceDatum = ShortCode(s[8])
    }
}

/// Up to eight ASCII characters packed in an integer, for short codes without allocation.
public struct ShortCode: Sendable, Hashable, CustomStringConvertible {
    /// The packed characters, first character in the high byte.
    public let packed: UInt64
    /// How many characters.
    public let count: Int

    init(_ field: NMEAField, dropFirst: Int = 0, count limit: Int = 8) {
        var value: UInt64 = 0
        let available = max(0, field.bytes.count - dropFirst)
        let used = min(available, limit)
        for index in 0..<used { value = value << 8 | UInt64(field.bytes[dropFirst + index]) }
        self.init(packed: value, count: used)
    }

    init(packed: UInt64, count: Int) {
        self.packed = packed
        self.count = count
    }

    public var description: String {
        String(decoding: (0..<count).map { UInt8(truncatingIfNeeded: packed >> (8 * UInt64(count - 1 - $0))) }, as: UTF8.self)
    }
}
