import JSONText
import EdgeIO
import NMEAParser

/// What the `edge-node modbus` technician commands do, callable from tests.
public enum ModbusCommands {
    /// One read: where, what, how to decode.
    public struct ReadRequest: Sendable {
        public var transport: ModbusTransport
        public var unit: Int
        public var table: ModbusTable
        public var address: Int
        public var count: Int
        public var type: ModbusValueType
        public var order: WordOrder
        public var timeout: Duration

        public init(transport: ModbusTransport, unit: Int, table: ModbusTable, address: Int, count: Int = 1,
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
                    let tokens = values.map(jsonToken)
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
    /// With `json`: `{"registers":[...],"decodings":{"float32":{"ABCD":200.0,...},...}}`.
    public static func decode(_ registers: [UInt16], json: Bool = false) throws(EdgeNodeError) -> String {
        guard (1...4).contains(registers.count) else { throw .input("give 1 to 4 registers (decimal or 0x hex)") }
        let types = ModbusValueType.numeric.filter { $0.registerCount <= registers.count }
        if json {
            let decodings = types.map { type in
                "\"\(type)\":{" + WordOrder.allCases.map { "\"\($0.rawValue)\":" + jsonToken(ModbusValue.decode(registers[...], as: type, order: $0)) }
                    .joined(separator: ",") + "}"
            }
            return "{\"registers\":[" + registers.map { "\"\(hex($0))\"" }.joined(separator: ",") + "],\"decodings\":{"
                + decodings.joined(separator: ",") + "}}\n"
        }
        var text = "registers " + registers.map { hex($0) }.joined(separator: " ") + "\n"
        text += "type     " + WordOrder.allCases.map { $0.rawValue.padding(24) }.joined() + "\n"
        for type in types {
            text += type.description.padding(9)
            text += WordOrder.allCases.map { ModbusValue.decode(registers[...], as: type, order: $0).description.padding(24) }.joined() + "\n"
        }
        return text
    }

    /// A value as a JSON token: a number (null when not finite), a quoted string, true or false.
    private static func jsonToken(_ value: ModbusValue) -> String {
        switch value {
        case .text(let text):
            var w = JSONWriter(capacity: 64)
            w.string(text)
            return String(decoding: w.bytes, as: UTF8.self)
        case .number(let number): return number.isFinite ? "\(number)" : "null"
        default: return value.description
        }
    }

    private static func connect(_ transport: ModbusTransport, timeout: Duration) throws(EdgeNodeError) -> ModbusClient {
        do { return try ModbusClient(transport, timeout: timeout) } catch { throw .runtime("\(error)") }
    }

    static func hex(_ word: UInt16) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String([12, 8, 4, 0].map { digits[Int(word >> UInt16($0)) & 15] })
    }
}

extension ModbusCommands {
    /// Where `simulate modbus` serves and what goes wrong on purpose.
    public struct Simulation {
        /// host:port for Modbus TCP (default: the profile's TCP address) ...
        public var listen: String?
        /// ... or a serial device or pseudo-terminal for RTU (settings from the profile, or 19200 8E1).
        public var rtu: String?
        public var faults = ModbusSimulator.Faults()
        public var seconds: Double?

        public init() {}
    }

    /// Reads a fault rule `CODE@TABLE:FROM[-TO]` (e.g. `2@holding:100-119`, `6@input:0`).
    public static func exceptionRule(_ text: String) throws(EdgeNodeError) -> ModbusSimulator.ExceptionRule {
        let expected = "--exception '\(text)': expected CODE@TABLE:FROM[-TO], e.g. 2@holding:100-119 or 6@input:0"
        let parts = text.split(separator: "@")
        guard parts.count == 2, let code = Int(parts[0]).flatMap(ModbusException.init(rawValue:)) else { throw .input(expected) }
        let place = parts[1].split(separator: ":")
        guard place.count == 2, let table = ModbusTable(rawValue: String(place[0])) else { throw .input(expected) }
        let bounds = place[1].split(separator: "-").map { Int($0) }
        guard let from = bounds.first ?? nil, let to = bounds.count == 2 ? bounds[1] : from, from >= 0, to >= from, bounds.count <= 2 else {
            throw .input(expected)
        }
        return ModbusSimulator.ExceptionRule(table: table, range: from..<(to + 1), code: code)
    }

    /// Serves `profilePath`'s units until `seconds` pass (nil: until interrupted); `announce`
    /// gets where, once listening.
    public static func simulate(profilePath: String, _ simulation: Simulation, announce: (String) -> Void) throws(EdgeNodeError) {
        let profile = try ModbusProfileFile.load(profilePath)
        let simulator = ModbusSimulator(profile: profile, faults: simulation.faults)
        let points = profile.pointCount
        let what = "\(profile.name): \(profile.units.count) unit\(profile.units.count == 1 ? "" : "s"), \(points) points"
        do throws(ModbusError) {
            if let device = simulation.rtu {
                var settings = SerialSettings(baud: 19_200, parity: .even)
                if case .rtu(_, let profiled) = profile.transport { settings = profiled }
                try simulator.serveRTU(device: device, settings: settings)
                announce("serving \(what) on \(device) (RTU \(settings.baud) \(settings.dataBits)\(settings.parity.rawValue)\(settings.stopBits))")
            } else {
                var host = "127.0.0.1", port = 1502
                if case .tcp(let profiledHost, let profiledPort) = profile.transport { (host, port) = (profiledHost, profiledPort) }
                if let listen = simulation.listen {
                    let parts = listen.split(separator: ":")
                    guard parts.count == 2, let number = Int(parts[1]), (0...65_535).contains(number) else {
                        throw .invalidRequest("--listen '\(listen)': expected HOST:PORT, e.g. 127.0.0.1:1502")
                    }
                    (host, port) = (String(parts[0]), number)
                }
                let bound = try simulator.listen(host: host, port: port)
                announce("serving \(what) on \(host):\(bound) (TCP)")
            }
        } catch {
            if case .invalidRequest(let reason) = error { throw .input(reason) }
            throw .runtime("\(error)")
        }
        let deadline = simulation.seconds.map { monotonicSeconds() + $0 }
        simulator.run { deadline.map { monotonicSeconds() >= $0 } ?? false }
    }
}

extension ModbusCommands {
    /// Which unit ids answer on a bus: a unit that answers anything (values or an exception other
    /// than the gateway's "no target") is there. `progress` gets (done, total) after each id.
    public static func scan(_ transport: ModbusTransport, units: ClosedRange<Int>, timeout: Duration,
                            progress: (Int, Int) -> Void) throws(EdgeNodeError) -> [(unit: Int, answer: String)] {
        let client = try connect(transport, timeout: timeout)
        var found: [(unit: Int, answer: String)] = []
        for (done, unit) in units.enumerated() {
            do {
                let registers = try client.readHoldingRegisters(unit: unit, address: 0, count: 1)
                found.append((unit, "holding 0 = \(registers[0])"))
            } catch .exception(let code) where code != .gatewayPathUnavailable && code != .gatewayTargetFailedToRespond {
                found.append((unit, code.description))
            } catch .connection(let reason) {
                throw .runtime("\(transport): \(reason)")
            } catch {
                // No answer (or a gateway's "no such target"): nobody at this id.
            }
            progress(done + 1, units.count)
        }
        return found
    }

    /// A scan's result: a line per unit, or `{"units": [{"unit": N, "answer": "..."}]}`.
    public static func render(scan found: [(unit: Int, answer: String)], json: Bool) -> String {
        guard json else { return found.isEmpty ? "no unit answered\n" : found.map { "unit \($0.unit): \($0.answer)\n" }.joined() }
        var w = JSONWriter()
        w.raw("{\"units\":[")
        for (index, entry) in found.enumerated() {
            if index > 0 { w.raw(",") }
            w.raw("{\"unit\":"); w.integer(entry.unit); w.key("answer"); w.string(entry.answer); w.raw("}")
        }
        w.raw("]}\n")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Polls a profile's points live: one row per reading (JSON Lines with `json`), for `seconds`
    /// (nil: until interrupted). `transport` overrides the profile's bus.
    public static func poll(profilePath: String, transport: ModbusTransport?, seconds: Double?, json: Bool,
                            output: inout OutputSink) throws(EdgeNodeError) {
        var profile = try ModbusProfileFile.load(profilePath)
        if let transport { profile.transport = transport }
        let poller = ModbusPoller(profile: profile)
        let start = monotonicSeconds()
        if !json {
            output.write("\(profile.name) at \(profile.transport): \(profile.pointCount) points in groups "
                         + profile.groups.map { "\($0.name) every \(format($0.period, 1)) s" }.joined(separator: ", ") + "\n")
            output.write("t s       point                          value                unit     quality   registers\n")
        }
        poller.run(shouldStop: { seconds.map { monotonicSeconds() - start >= $0 } ?? false }) { report in
            for (point, error) in report.writes { output.write("write \(point): \(error ?? "done")\n") }
            for reading in report.readings {
                let quality = reading.quality.description
                if json {
                    var w = JSONWriter(capacity: 256)
                    w.raw("{\"t\":"); w.fixed(reading.timestamp - start, decimals: 3)
                    w.key("point"); w.string(reading.point)
                    w.key("value")
                    if let value = reading.value { value.write(into: &w) } else { w.raw("null") }
                    w.key("unit"); if let unit = reading.unit { w.string(unit) } else { w.raw("null") }
                    w.key("quality"); w.string(quality)
                    w.key("registers"); w.raw("[")
                    for (index, word) in reading.raw.enumerated() {
                        if index > 0 { w.raw(",") }
                        w.integer(Int(word))
                    }
                    w.raw("]}\n")
                    w.withBytes { output.write($0) }
                } else {
                    let value: String = switch reading.value {
                    case .double(let number)?: format(number, 3)
                    case let other?: other.description
                    case nil: "-"
                    }
                    // In steps: Swift 6.2's type checker gives up on the whole sum (the aarch64 build's compiler).
                    var line = format(reading.timestamp - start, 3).padding(10) + reading.point.padding(31)
                    line += value.padding(21) + (reading.unit ?? "").padding(9)
                    line += quality.padding(10) + reading.raw.map(hex).joined(separator: " ") + "\n"
                    output.write(line)
                }
            }
            output.flush()
        }
    }
}
