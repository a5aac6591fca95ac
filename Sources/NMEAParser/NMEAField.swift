/// One comma-separated field of a sentence, as bytes. An empty field means "absent", never zero:
/// every parser here returns `nil` for it.
public struct NMEAField {
    /// The field's characters.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Position of the field in its sentence (0 is the address).
    public let index: Int

    /// True when the field has no characters.
    @inline(__always)
    public var isEmpty: Bool { bytes.isEmpty }

    /// The first character, if any.
    @inline(__always)
    public var first: UInt8? { bytes.first }

    /// The field as a `String` (allocates).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A signed decimal number without loss: mantissa and power of ten are read exactly and
    /// combined with one correctly rounded operation (Clinger's fast path), falling back to the
    /// standard library's parser for more than 15 digits.
    /// - Throws: ``NMEADecodeError`` with code `.invalidNumber` when the field is not a number.
    @inline(__always)
    public func double() throws(NMEADecodeError) -> Double? {
        guard !bytes.isEmpty else { return nil }
        guard let value = parseDecimal(bytes) else { throw NMEADecodeError(.invalidNumber, field: index) }
        return value
    }

    /// A signed decimal integer.
    /// - Throws: ``NMEADecodeError`` with code `.invalidNumber` when the field is not an integer.
    @inline(__always)
    public func int() throws(NMEADecodeError) -> Int? {
        guard !bytes.isEmpty else { return nil }
        guard let value = parseInteger(bytes, radix: 10) else { throw NMEADecodeError(.invalidNumber, field: index) }
        return value
    }

    /// A hexadecimal integer (NMEA 4.11 signal IDs such as `B`).
    /// - Throws: ``NMEADecodeError`` with code `.invalidNumber`.
    public func hex() throws(NMEADecodeError) -> Int? {
        guard !bytes.isEmpty else { return nil }
        guard let value = parseInteger(bytes, radix: 16) else { throw NMEADecodeError(.invalidNumber, field: index) }
        return value
    }

    /// A single character flag such as `A`, `V` or `N`.
    /// - Throws: ``NMEADecodeError`` with code `.invalidCharacter` when longer than one character.
    public func character() throws(NMEADecodeError) -> UInt8? {
        guard !bytes.isEmpty else { return nil }
        guard bytes.count == 1 else { throw NMEADecodeError(.invalidCharacter, field: index) }
        return bytes[0]
    }

    /// Compares the field with ASCII text.
    public func equals(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == bytes.count else { return false }
        let other = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return bytes.elementsEqual(other)
    }
}

/// Exact powers of ten representable in a Double.
private let exactPowersOfTen: InlineArray<23, Double> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

@inline(__always)
func parseDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var index = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
    }
    // Every digit goes into the mantissa (wrapping: more than 15 digits take the slow path).
    var mantissa: UInt64 = 0
    let integerStart = index
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { break }
        mantissa = mantissa &* 10 &+ UInt64(digit)
        index &+= 1
    }
    var digits = index &- integerStart
    var fractionDigits = 0
    if index < bytes.count {
        guard bytes[index] == UInt8(ascii: ".") else { return nil }
        index &+= 1
        let fractionStart = index
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index &+= 1
        }
        fractionDigits = index &- fractionStart
        digits &+= fractionDigits
    }
    guard digits > 0 else { return nil }
    // Up to 15 digits the mantissa is exact, and so is the power of ten: one correctly rounded division.
    guard digits <= 15 else { return slowParseDecimal(bytes) }
    let magnitude = Double(mantissa) / exactPowersOfTen[fractionDigits]
    return negative ? -magnitude : magnitude
}

private func slowParseDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    Double(String(decoding: bytes, as: UTF8.self))
}

@inline(__always)
func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>, radix: Int) -> Int? {
    // Most fields are one to three decimal digits (satellite numbers, angles, SNR).
    if radix == 10 && bytes.count <= 3 {
        let first = bytes[0] &- UInt8(ascii: "0")
        if first < 10 {
            var value = Int(first)
            for index in 1..<bytes.count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int(digit)
            }
            return value
        }
    }
    var index = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
    }
    guard index < bytes.count, bytes.count - index <= 15 else { return nil }
    var value = 0
    while index < bytes.count {
        let digit: Int
        if radix == 16 {
            guard let hex = hexValue(bytes[index]) else { return nil }
            digit = Int(hex)
        } else {
            let decimal = bytes[index] &- UInt8(ascii: "0")
            guard decimal < 10 else { return nil }
            digit = Int(decimal)
        }
        // At most 15 digits (checked above): no overflow even in base 16.
        value = value &* radix &+ digit
        index &+= 1
    }
    return negative ? -value : value
}
