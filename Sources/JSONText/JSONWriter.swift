/// Appends JSON text to a reusable byte buffer without Foundation and without allocation once
/// the buffer has grown to its working size. Non-copyable: it owns its buffer outright, so
/// writing needs no copy-on-write check.
public struct JSONWriter: ~Copyable, @unchecked Sendable {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0

    /// Bytes written so far.
    @inlinable public var count: Int { written }

    /// Creates a writer with room for `capacity` bytes.
    @inlinable public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// The text written so far (a copy; use ``withBytes(_:)`` on hot paths).
    @inlinable public var bytes: [UInt8] { withBytes { Array($0) } }

    /// Calls `body` with the text written so far, without copying it.
    @inlinable public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: start, count: written))
    }

    /// Empties the buffer, keeping its storage.
    @inlinable public mutating func removeAll() { written = 0 }

    /// Appends raw ASCII text.
    @inline(__always)
    @inlinable public mutating func raw(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        reserve(length).update(from: text.utf8Start, count: length)
        written += length
    }

    /// Appends one byte.
    @inline(__always)
    @inlinable public mutating func byte(_ value: UInt8) {
        reserve(1).pointee = value
        written += 1
    }

    /// Appends a decimal integer.
    @inlinable public mutating func integer(_ value: Int) {
        let out = reserve(21)
        var length = 0
        if value < 0 {
            out[0] = UInt8(ascii: "-")
            length = 1
        }
        length += writeDigits(value.magnitude, to: out + length)
        written += length
    }

    /// Appends a decimal unsigned integer (a 64-bit counter, exact).
    @inlinable public mutating func unsigned(_ value: UInt64) {
        written += writeDigits(UInt(value), to: reserve(21))
    }

    /// Appends a number with a fixed count of decimals (like C's `%.Nf`), rounding half away from zero.
    @inlinable public mutating func fixed(_ value: Double, decimals: Int) {
        guard value.isFinite else {
            raw("null")
            return
        }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * Double(scale)).rounded(.toNearestOrAwayFromZero)
        // Beyond 2^53 the product has lost digits: the exact way.
        guard scaled < 0x1p53 else {
            wide(value, decimals: decimals, scale: scale)
            return
        }
        let total = UInt64(scaled)
        let out = reserve(44)
        var length = 0
        if value < 0 && total != 0 {
            out[0] = UInt8(ascii: "-")
            length = 1
        }
        length += writeDigits(UInt(total / scale), to: out + length)
        if decimals > 0 {
            out[length] = UInt8(ascii: ".")
            length += 1
            var fraction = total % scale
            for position in stride(from: length + decimals - 1, through: length, by: -1) {
                out[position] = UInt8(fraction % 10) + UInt8(ascii: "0")
                fraction /= 10
            }
            length += decimals
        }
        written += length
    }

    /// `fixed` for a value whose scaled magnitude is past 2^53: its exact decimal expansion,
    /// as C's `%.Nf` prints it (a reading of 3e38 from a device is a number, not a trap).
    @inline(never)
    @usableFromInline mutating func wide(_ value: Double, decimals: Int, scale: UInt64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        var whole = value.magnitude.rounded(.towardZero)
        var fraction = ((value.magnitude - whole) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        if fraction >= Double(scale) {
            fraction = 0
            whole += 1
        }
        if whole < 0x1p63 {
            written += writeDigits(UInt(whole), to: reserve(21))
        } else {
            // Whole (every Double from 2^53 up is), up to 309 digits: its significand doubled, in base 1e9.
            let significand = whole.significandBitPattern | 1 << 52
            var limbs: [UInt32] = [UInt32(significand % 1_000_000_000), UInt32(significand / 1_000_000_000)]
            for _ in 0..<(Int(whole.exponent) - 52) {
                var carry: UInt32 = 0
                for index in limbs.indices {
                    let doubled = limbs[index] * 2 + carry
                    carry = doubled >= 1_000_000_000 ? 1 : 0
                    limbs[index] = doubled - carry * 1_000_000_000
                }
                if carry > 0 { limbs.append(carry) }
            }
            while limbs.last == 0 { limbs.removeLast() }
            written += writeDigits(UInt(limbs.last!), to: reserve(21))
            for limb in limbs.dropLast().reversed() {
                let out = reserve(9)
                var rest = limb
                for position in stride(from: 8, through: 0, by: -1) {
                    out[position] = UInt8(rest % 10) + UInt8(ascii: "0")
                    rest /= 10
                }
                written += 9
            }
        }
        guard decimals > 0 else { return }
        byte(UInt8(ascii: "."))
        let out = reserve(decimals)
        var digits = UInt64(fraction)
        for position in stride(from: decimals - 1, through: 0, by: -1) {
            out[position] = UInt8(digits % 10) + UInt8(ascii: "0")
            digits /= 10
        }
        written += decimals
    }

    /// Appends the shortest number that reads back as the same Double (Swift's own rendering:
    /// `22.27102`, `1e-05`), for data read back by a program rather than by a person; `null`
    /// when not finite.
    public mutating func exact(_ value: Double) {
        guard value.isFinite else {
            raw("null")
            return
        }
        for byte in value.description.utf8 { self.byte(byte) }
    }

    /// Appends a JSON string with escapes.
    @inlinable public mutating func string(_ text: some StringProtocol) {
        byte(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                byte(UInt8(ascii: "\\"))
                byte(unit)
            case 0..<0x20:
                raw("\\u00")
                byte(hexDigit(unit >> 4))
                byte(hexDigit(unit & 0xF))
            default:
                byte(unit)
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// Appends a JSON array of strings.
    @inlinable public mutating func strings(_ texts: [String]) {
        byte(UInt8(ascii: "["))
        for (index, text) in texts.enumerated() {
            if index > 0 { byte(UInt8(ascii: ",")) }
            string(text)
        }
        byte(UInt8(ascii: "]"))
    }

    /// Appends `,"key":` (or `"key":` first in an object when `first` is true).
    @inline(__always)
    @inlinable public mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { byte(UInt8(ascii: ",")) }
        byte(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
    }

    /// Appends an ISO 8601 UTC timestamp with milliseconds as a JSON string:
    /// `"2026-11-29T03:58:07.000Z"`. Fields out of their ranges are written modulo 100 (1000 for
    /// the milliseconds); the year as it is.
    @inlinable public mutating func timestamp(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        byte(UInt8(ascii: "\""))
        integer(year)
        let out = reserve(21)
        func put(_ value: Int, at position: Int) {
            out[position] = UInt8(value.magnitude / 10 % 10) + UInt8(ascii: "0")
            out[position + 1] = UInt8(value.magnitude % 10) + UInt8(ascii: "0")
        }
        out[0] = UInt8(ascii: "-"); put(month, at: 1)
        out[3] = UInt8(ascii: "-"); put(day, at: 4)
        out[6] = UInt8(ascii: "T"); put(hour, at: 7)
        out[9] = UInt8(ascii: ":"); put(minute, at: 10)
        out[12] = UInt8(ascii: ":"); put(second, at: 13)
        out[15] = UInt8(ascii: "."); out[16] = UInt8(millisecond.magnitude / 100 % 10) + UInt8(ascii: "0"); put(millisecond % 100, at: 17)
        out[19] = UInt8(ascii: "Z"); out[20] = UInt8(ascii: "\"")
        written += 21
    }

    /// Room for `needed` more bytes at the end.
    @inline(__always)
    @inlinable mutating func reserve(_ needed: Int) -> UnsafeMutablePointer<UInt8> {
        if written + needed > capacity { grow(toAtLeast: written + needed) }
        return start + written
    }

    @inline(never)
    @usableFromInline mutating func grow(toAtLeast needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: start, count: written)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }
}

/// Writes the decimal digits of `value` at `out`; returns how many.
@inline(__always)
@inlinable func writeDigits(_ value: UInt, to out: UnsafeMutablePointer<UInt8>) -> Int {
    // Short numbers (satellite numbers, angles, SNRs) are the common case: no loops for them.
    if value < 10 {
        out[0] = UInt8(value) + UInt8(ascii: "0")
        return 1
    }
    if value < 100 {
        out[0] = UInt8(value / 10) + UInt8(ascii: "0")
        out[1] = UInt8(value % 10) + UInt8(ascii: "0")
        return 2
    }
    var length = 3
    var limit: UInt = 1000
    while value >= limit && length < 20 {
        length += 1
        let (next, overflow) = limit.multipliedReportingOverflow(by: 10)
        if overflow { break }
        limit = next
    }
    var remaining = value
    for position in stride(from: length - 1, through: 0, by: -1) {
        out[position] = UInt8(remaining % 10) + UInt8(ascii: "0")
        remaining /= 10
    }
    return length
}

@inline(__always)
@inlinable func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? value + 48 : value + 87 }

/// `value` with `decimals` digits after the point, as C's `%.Nf` writes it: for text reports
/// beside the JSON, without Foundation.
public func format(_ value: Double, _ decimals: Int) -> String {
    var writer = JSONWriter(capacity: 32)
    writer.fixed(value, decimals: decimals)
    return String(decoding: writer.bytes, as: UTF8.self)
}

extension StringProtocol {
    /// The text without the white space around it (option values, fields of a line).
    public var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
