/// Appends JSON text to a reusable byte buffer without Foundation and without allocation once
/// the buffer has grown to its working size.
public struct JSONWriter: Sendable {
    /// The text written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates a writer with room for `capacity` bytes.
    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Empties the buffer, keeping its storage.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends raw ASCII text.
    @inline(__always)
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends one byte.
    @inline(__always)
    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Appends a decimal integer.
    public mutating func integer(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(magnitude % 10) + UInt8(ascii: "0")
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// Appends a number with a fixed count of decimals (like C's `%.Nf`), rounding half away from zero.
    public mutating func fixed(_ value: Double, decimals: Int) {
        guard value.isFinite else {
            raw("null")
            return
        }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e18 else {
            integer(Int(value.rounded()))
            return
        }
        let total = Int64(scaled)
        if value < 0 && total != 0 { bytes.append(UInt8(ascii: "-")) }
        integer(Int(total / scale))
        guard decimals > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var fraction = total % scale
        var divisor = scale / 10
        while divisor > 0 {
            bytes.append(UInt8(fraction / divisor) + UInt8(ascii: "0"))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// Appends a JSON string with escapes.
    public mutating func string(_ text: some StringProtocol) {
        bytes.append(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(unit)
            case 0..<0x20:
                raw("\\u00")
                bytes.append(hexDigit(unit >> 4))
                bytes.append(hexDigit(unit & 0xF))
            default:
                bytes.append(unit)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `,"key":` (or `"key":` first in an object when `first` is true).
    @inline(__always)
    public mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
    }

    /// Appends an ISO 8601 UTC timestamp with milliseconds: `2026-11-29T03:58:07.000Z`.
    public mutating func timestamp(date: CalendarDate, time: TimeOfDay) {
        bytes.append(UInt8(ascii: "\""))
        integer(date.year)
        bytes.append(UInt8(ascii: "-"))
        twoDigits(date.month)
        bytes.append(UInt8(ascii: "-"))
        twoDigits(date.day)
        bytes.append(UInt8(ascii: "T"))
        twoDigits(time.hour)
        bytes.append(UInt8(ascii: ":"))
        twoDigits(time.minute)
        bytes.append(UInt8(ascii: ":"))
        twoDigits(time.second)
        bytes.append(UInt8(ascii: "."))
        let millis = time.nanosecond / 1_000_000
        bytes.append(UInt8(millis / 100) + UInt8(ascii: "0"))
        twoDigits(millis % 100)
        raw("Z\"")
    }

    @inline(__always)
    private mutating func twoDigits(_ value: Int) {
        bytes.append(UInt8(value / 10 % 10) + UInt8(ascii: "0"))
        bytes.append(UInt8(value % 10) + UInt8(ascii: "0"))
    }
}

@inline(__always)
private func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? value + 48 : value + 87 }
