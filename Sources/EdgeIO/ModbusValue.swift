/// How a value is laid out in Modbus registers.
public enum ModbusValueType: Sendable, Equatable, CustomStringConvertible {
    case int16, uint16, int32, uint32, int64, uint64, float32, float64
    /// Bit `n` (0 = least significant) of one register.
    case bit(Int)
    /// ASCII text in `registers` registers, two characters each (high byte first).
    case string(registers: Int)

    /// Registers the value spans.
    public var registerCount: Int {
        switch self {
        case .int16, .uint16, .bit: 1
        case .int32, .uint32, .float32: 2
        case .int64, .uint64, .float64: 4
        case .string(let registers): registers
        }
    }

    /// The type by name: int16 ... float64, `bit:N`, `string:N`.
    public init?(name: String) {
        let parts = name.lowercased().split(separator: ":")
        switch (parts.first.map(String.init), parts.count) {
        case ("int16", 1): self = .int16
        case ("uint16", 1): self = .uint16
        case ("int32", 1): self = .int32
        case ("uint32", 1): self = .uint32
        case ("int64", 1): self = .int64
        case ("uint64", 1): self = .uint64
        case ("float32", 1): self = .float32
        case ("float64", 1): self = .float64
        case ("bit", 2): guard let n = Int(parts[1]), (0..<16).contains(n) else { return nil }; self = .bit(n)
        case ("string", 2): guard let n = Int(parts[1]), n > 0, n <= 125 else { return nil }; self = .string(registers: n)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .int16: "int16"
        case .uint16: "uint16"
        case .int32: "int32"
        case .uint32: "uint32"
        case .int64: "int64"
        case .uint64: "uint64"
        case .float32: "float32"
        case .float64: "float64"
        case .bit(let n): "bit:\(n)"
        case .string(let n): "string:\(n)"
        }
    }

    /// All the numeric types, for showing registers every way.
    public static let numeric: [ModbusValueType] = [.int16, .uint16, .int32, .uint32, .float32, .int64, .uint64, .float64]
}

/// Byte and word order, named by where bytes A (most significant) to D land: ABCD is big-endian
/// (the Modbus default), CDAB swaps the 16-bit words (common in energy meters), BADC swaps the
/// bytes in each word, DCBA is little-endian. For 64-bit values the same rule applies to four
/// words (ABCD -> ABCDEFGH, CDAB -> GHEFCDAB, BADC -> BADCFEHG, DCBA -> HGFEDCBA).
public enum WordOrder: String, Sendable, CaseIterable {
    case abcd = "ABCD"
    case cdab = "CDAB"
    case badc = "BADC"
    case dcba = "DCBA"

    /// The registers put back into big-endian byte order.
    func bigEndianBytes(_ registers: ArraySlice<UInt16>) -> [UInt8] {
        var words = Array(registers)
        if self == .cdab || self == .dcba { words.reverse() }
        var bytes: [UInt8] = []
        for word in words {
            let high = UInt8(word >> 8), low = UInt8(word & 0xFF)
            bytes += self == .badc || self == .dcba ? [low, high] : [high, low]
        }
        return bytes
    }

    /// Registers holding `bytes` (big-endian) in this order.
    func registers(_ bytes: [UInt8]) -> [UInt16] {
        var words: [UInt16] = stride(from: 0, to: bytes.count, by: 2).map { index in
            let high = bytes[index], low = bytes[index + 1]
            return self == .badc || self == .dcba ? UInt16(low) << 8 | UInt16(high) : UInt16(high) << 8 | UInt16(low)
        }
        if self == .cdab || self == .dcba { words.reverse() }
        return words
    }
}

/// A decoded value.
public enum ModbusValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    /// Integers kept exact (64-bit values do not fit a Double).
    case integer(Int64)
    case unsigned(UInt64)
    case text(String)

    public var description: String {
        switch self {
        case .number(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .unsigned(let value): "\(value)"
        case .text(let value): value
        }
    }

    /// As a Double (for scaling); text has none.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .text: nil
        }
    }

    /// Decodes `registers` (at least ``ModbusValueType/registerCount`` of them) as `type` in `order`.
    public static func decode(_ registers: ArraySlice<UInt16>, as type: ModbusValueType, order: WordOrder = .abcd) -> ModbusValue {
        let words = registers.prefix(type.registerCount)
        switch type {
        case .bit(let n): return .integer(Int64(((words.first ?? 0) >> UInt16(n)) & 1))
        case .string:
            let bytes = WordOrder.abcd.bigEndianBytes(words).filter { $0 != 0 }
            return .text(String(decoding: bytes, as: UTF8.self).trimmingCharacters())
        default: break
        }
        var raw: UInt64 = 0
        for byte in order.bigEndianBytes(words) { raw = raw << 8 | UInt64(byte) }
        switch type {
        case .int16: return .integer(Int64(Int16(truncatingIfNeeded: raw)))
        case .uint16: return .unsigned(raw)
        case .int32: return .integer(Int64(Int32(truncatingIfNeeded: raw)))
        case .uint32: return .unsigned(raw)
        case .int64: return .integer(Int64(bitPattern: raw))
        case .uint64: return .unsigned(raw)
        case .float32:
            // Through the float's shortest decimal, so that 123.456 reads 123.456, not 123.45600128.
            let float = Float(bitPattern: UInt32(truncatingIfNeeded: raw))
            return .number(float.isFinite ? Double("\(float)") ?? Double(float) : Double(float))
        case .float64: return .number(Double(bitPattern: raw))
        case .bit, .string: fatalError("handled above")
        }
    }

    /// The registers that hold `value` as `type` in `order`.
    public static func encode(_ value: Double, as type: ModbusValueType, order: WordOrder = .abcd) -> [UInt16]? {
        let raw: UInt64
        let size: Int
        switch type {
        case .int16: guard let v = Int16(exactly: value.rounded()) else { return nil }; raw = UInt64(UInt16(bitPattern: v)); size = 2
        case .uint16: guard let v = UInt16(exactly: value.rounded()) else { return nil }; raw = UInt64(v); size = 2
        case .int32: guard let v = Int32(exactly: value.rounded()) else { return nil }; raw = UInt64(UInt32(bitPattern: v)); size = 4
        case .uint32: guard let v = UInt32(exactly: value.rounded()) else { return nil }; raw = UInt64(v); size = 4
        case .int64: guard let v = Int64(exactly: value.rounded()) else { return nil }; raw = UInt64(bitPattern: v); size = 8
        case .uint64: guard let v = UInt64(exactly: value.rounded()) else { return nil }; raw = v; size = 8
        case .float32: raw = UInt64(Float(value).bitPattern); size = 4
        case .float64: raw = value.bitPattern; size = 8
        case .bit, .string: return nil
        }
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: raw >> UInt64(8 * (size - 1 - $0))) }
        return order.registers(bytes)
    }

    /// Register contents (big-endian bytes, in ABCD order) at the edges of `type`: for floats the
    /// greatest finite magnitude of each sign, NaN, both infinities, the smallest denormal and -0;
    /// for integers the minimum, the maximum and 0; for strings invalid UTF-8 and the characters
    /// JSON must escape. Empty for bits (they have only 0 and 1).
    public static func extremes(of type: ModbusValueType) -> [[UInt8]] {
        func bytes(_ raw: UInt64, _ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: raw >> UInt64(8 * (size - 1 - $0))) } }
        switch type {
        case .int16: return [Int16.min, .max, 0].map { bytes(UInt64(UInt16(bitPattern: $0)), 2) }
        case .uint16: return [UInt16.min, .max].map { bytes(UInt64($0), 2) }
        case .int32: return [Int32.min, .max, 0].map { bytes(UInt64(UInt32(bitPattern: $0)), 4) }
        case .uint32: return [UInt32.min, .max].map { bytes(UInt64($0), 4) }
        case .int64: return [Int64.min, .max, 0].map { bytes(UInt64(bitPattern: $0), 8) }
        case .uint64: return [UInt64.min, .max].map { bytes($0, 8) }
        case .float32:
            return [Float.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, .infinity, -.infinity,
                    .leastNonzeroMagnitude, -0.0].map { bytes(UInt64($0.bitPattern), 4) }
        case .float64:
            return [Double.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, .infinity, -.infinity,
                    .leastNonzeroMagnitude, -0.0].map { bytes($0.bitPattern, 8) }
        case .string(let registers):
            let pattern: [UInt8] = [0x22, 0x5C, 0x01, 0x0A, 0xC3]
            return [Array(repeating: 0xFF, count: 2 * registers), (0..<(2 * registers)).map { pattern[$0 % pattern.count] }]
        case .bit: return []
        }
    }
}

private extension String {
    func trimmingCharacters() -> String {
        var view = Substring(self)
        while view.last == " " { view.removeLast() }
        return String(view)
    }
}
