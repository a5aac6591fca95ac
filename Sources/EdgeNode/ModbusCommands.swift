import EdgeIO
import NMEAParser

/// What the `edge-node modbus` technician commands do, callable from tests.
public enum ModbusCommands {
    /// A register table.
    public enum Table: String, CaseIterable, Sendable { case coil, discrete, input, holding }

    /// One read: where, what, how to decode.
    public struct ReadRequest: Sendable {
        public var transport: ModbusTransport
        public var unit: Int
        public var table: Table
        public var address: Int
        public var count: Int
        public var type: ModbusValueType
        public var order: WordOrder
        public var timeout: Duration

        public init(transport: ModbusTransport, unit: Int, table: Table, address: Int, count: Int = 1,
                    type: ModbusValueType = .uint16, order: WordOrder = .abcd, timeout: Duration = .milliseconds(500)) {
            self.transport = transport
            self.unit = unit
            self.table = table
            self.address = address
            self.count = count
            self.type = type
            self.order = order
            self.timeout = timeout
        }
    }

    /// Reads `count` values (of `type`) and prints them with the raw registers; the exception's
    /// name on failure. JSON: `{"values": [...], "registers": [...]}`.
    public static func read(_ request: ReadRequest, json: Bool) throws(EdgeNodeError) -> String {
        let client = try connect(request.transport, timeout: request.timeout)
        do throws(ModbusError) {
            switch request.table {
            case .coil, .discrete:
                let bits = request.table == .coil
                    ? try client.readCoils(unit: request.unit, address: request.address, count: request.count)
                    : try client.readDiscreteInputs(unit: request.unit, address: request.address, count: request.count)
                if json { return "{\"values\":[\(bits.map { $0 ? "true" : "false" }.joined(separator: ","))],\"registers\":[]}\n" }
                return bits.enumerated().map { "\(request.table.rawValue) \(request.address + $0.offset): \($0.element ? 1 : 0)\n" }.joined()
            case .input, .holding:
                let span = request.type.registerCount
                let registers = request.table == .holding
                    ? try client.readHoldingRegisters(unit: request.unit, address: request.address, count: request.count * span)
                    : try client.readInputRegisters(unit: request.unit, address: request.address, count: request.count * span)
                let values = (0..<request.count).map { ModbusValue.decode(registers[($0 * span)...], as: request.type, order: request.order) }
                if json {
                    let tokens = values.map { value -> String in
                        switch value {
                        case .text(let text):
                            var w = JSONWriter(capacity: 64)
                            w.string(text)
                            return String(decoding: w.bytes, as: UTF8.self)
                        case .number(let number): return number.isFinite ? "\(number)" : "null"
                        default: return value.description
                        }
                    }
                    return "{\"values\":[\(tokens.joined(separator: ","))],\"registers\":[\(registers.map(String.init).joined(separator: ","))]}\n"
                }
                return values.enumerated().map { index, value in
                    let at = request.address + index * span
                    let raw = registers[(index * span)..<(index * span + span)].map { hex($0) }.joined(separator: " ")
                    return "\(request.table.rawValue) \(at): \(value) (\(request.type) \(request.order.rawValue); registers \(raw))\n"
                }.joined()
            }
        } catch {
            throw .runtime("\(request.transport) unit \(request.unit) \(request.table.rawValue) \(request.address): \(error)")
        }
    }

    /// Writes one value (a coil, or a value of `type` into holding registers).
    public static func write(_ request: ReadRequest, value: String, confirmed: Bool) throws(EdgeNodeError) -> String {
        guard confirmed else {
            throw .input("writing changes the plant: add --yes to write \(value) to \(request.table.rawValue) \(request.address) of unit \(request.unit)")
        }
        let client = try connect(request.transport, timeout: request.timeout)
        do throws(ModbusError) {
            switch request.table {
            case .coil:
                guard let bit = ["1": true, "0": false, "true": true, "false": false, "on": true, "off": false][value.lowercased()] else {
                    throw .invalidRequest("a coil takes 1/0, true/false or on/off, not '\(value)'")
                }
                try client.writeCoil(unit: request.unit, address: request.address, value: bit)
            case .holding:
                guard let number = Double(value), let registers = ModbusValue.encode(number, as: request.type, order: request.order) else {
                    throw .invalidRequest("'\(value)' does not fit a \(request.type)")
                }
                if registers.count == 1 {
                    try client.writeRegister(unit: request.unit, address: request.address, value: registers[0])
                } else {
                    try client.writeRegisters(unit: request.unit, address: request.address, values: registers)
                }
            case .input, .discrete:
                throw .invalidRequest("\(request.table.rawValue) tables are read-only")
            }
        } catch {
            throw .runtime("\(request.transport) unit \(request.unit) \(request.table.rawValue) \(request.address): \(error)")
        }
        return "wrote \(value) to \(request.table.rawValue) \(request.address) of unit \(request.unit)\n"
    }

    /// The registers shown as every numeric type in every order: the field's first question.
    public static func decode(_ registers: [UInt16]) throws(EdgeNodeError) -> String {
        guard (1...4).contains(registers.count) else { throw .input("give 1 to 4 registers (decimal or 0x hex)") }
        var text = "registers " + registers.map { hex($0) }.joined(separator: " ") + "\n"
        text += "type     " + WordOrder.allCases.map { $0.rawValue.padding(24) }.joined() + "\n"
        for type in ModbusValueType.numeric where type.registerCount <= registers.count {
            text += type.description.padding(9)
            text += WordOrder.allCases.map { ModbusValue.decode(registers[...], as: type, order: $0).description.padding(24) }.joined() + "\n"
        }
        return text
    }

    private static func connect(_ transport: ModbusTransport, timeout: Duration) throws(EdgeNodeError) -> ModbusClient {
        do { return try ModbusClient(transport, timeout: timeout) } catch { throw .runtime("\(error)") }
    }

    static func hex(_ word: UInt16) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String([12, 8, 4, 0].map { digits[Int(word >> UInt16($0)) & 15] })
    }
}
