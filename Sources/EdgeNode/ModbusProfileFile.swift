import EdgeIO
import FoundationEssentials

/// A Modbus device profile in `devices/` (YAML): the bus, the units on it, their points, the
/// poll groups, and what the simulator serves. Every mistake stops the load with file:line:column;
/// unknown keys are mistakes.
///
///     device: Line 3 PLC
///     bus:
///       tcp: {host: 127.0.0.1, port: 1502}      # or rtu: {device: /dev/ttyUSB0, baud: 19200, parity: even}
///       timeout: 0.3                             # seconds per request
///       retries: 1
///       inter_request_delay: 0.005
///     addressing: protocol                       # protocol (0-based), one-based, or modicon (40001 = holding 0)
///     max_gap: 8
///     poll_groups:
///       fast: {period: 0.5}
///       slow: {period: 5, stagger: 0.25}
///     units:
///       - id: 1
///         name: plc
///         holes: [{table: holding, from: 20, to: 29}]
///         points:
///           - {name: line_speed, table: holding, address: 0, type: float32, order: CDAB, unit: m/min,
///              scale: 1, offset: 0, access: read-write, group: fast, deadband: 0.5, invalid: -1,
///              simulate: {sine: {mean: 120, amplitude: 5, period: 60}}}
public enum ModbusProfileFile {
    /// Loads and checks `path`.
    public static func load(_ path: String) throws(EdgeNodeError) -> ModbusProfile {
        try parse(try YAMLValue.load(path), directory: directoryName(of: path))
    }

    static func parse(_ root: YAMLValue, directory: String) throws(EdgeNodeError) -> ModbusProfile {
        let top = try root.mapping("a Modbus device profile", keys: ["device", "bus", "addressing", "max_gap", "poll_groups", "units"],
                                   required: ["device", "bus", "units"])
        let bus = try top["bus"]!.mapping("the bus", keys: ["tcp", "rtu", "timeout", "retries", "inter_request_delay"])
        let transport: ModbusTransport
        if let tcp = bus["tcp"] {
            guard bus["rtu"] == nil else { throw tcp.error("a bus is tcp or rtu, not both") }
            let f = try tcp.mapping("a TCP address", keys: ["host", "port"], required: ["host"])
            let port = try f["port"]?.integer("a TCP port") ?? 502
            guard (1...65_535).contains(port) else { throw f["port"]!.error("a TCP port is 1-65535, not \(port)") }
            transport = .tcp(host: try f["host"]!.string("a host name or address"), port: port)
        } else if let rtu = bus["rtu"] {
            let f = try rtu.mapping("an RTU line", keys: ["device", "baud", "parity", "data_bits", "stop_bits"], required: ["device", "baud"])
            let settings = SerialSettings(
                baud: try f["baud"]!.integer("a baud rate"), dataBits: try f["data_bits"]?.integer("data bits (7 or 8)") ?? 8,
                parity: try f["parity"]?.choice("a parity", ["none": SerialSettings.Parity.none, "even": .even, "odd": .odd]) ?? .even,
                stopBits: try f["stop_bits"]?.integer("stop bits (1 or 2)") ?? 1)
            guard SerialSettings.isStandardRate(settings.baud) else { throw f["baud"]!.error("\(settings.baud) is not a standard baud rate") }
            transport = .rtu(device: try f["device"]!.string("a serial device"), settings: settings)
        } else {
            throw top["bus"]!.error("a bus needs tcp: {host, port} or rtu: {device, baud, parity}")
        }
        let timeout = try positive(bus["timeout"], "a timeout in seconds") ?? 0.5
        let retries = try bus["retries"]?.integer("a retry count") ?? 1
        guard (0...5).contains(retries) else { throw bus["retries"]!.error("retries are 0-5, not \(retries)") }
        let delay = try bus["inter_request_delay"]?.double("seconds between requests") ?? 0
        guard delay >= 0 else { throw bus["inter_request_delay"]!.error("the inter-request delay cannot be negative") }
        let addressing = try top["addressing"]?.choice("an addressing convention", ["protocol": Addressing.protocol, "one-based": .oneBased,
                                                                                    "modicon": .modicon]) ?? .protocol
        let maximumGap = try top["max_gap"]?.integer("registers a merged read may skip") ?? 8
        guard (0...124).contains(maximumGap) else { throw top["max_gap"]!.error("max_gap is 0-124, not \(maximumGap)") }

        var groups: [ModbusPollGroup] = []
        if let node = top["poll_groups"] {
            for (name, value) in try node.mapping("the poll groups", keys: nil).sorted(by: { $0.key < $1.key }) {
                let f = try value.mapping("a poll group", keys: ["period", "stagger"], required: ["period"])
                groups.append(ModbusPollGroup(name: name, period: try positive(f["period"], "a period in seconds")!,
                                              stagger: try f["stagger"]?.double("a stagger in seconds") ?? 0))
            }
        } else {
            groups = [ModbusPollGroup(name: "default", period: 1)]
        }

        var units: [ModbusUnit] = []
        var names: [String: YAMLValue] = [:]
        for unitNode in try top["units"]!.sequence("the units on the bus") {
            let u = try unitNode.mapping("a unit", keys: ["id", "name", "holes", "points"], required: ["id", "points"])
            let id = try u["id"]!.integer("a unit id")
            guard (1...247).contains(id) else { throw u["id"]!.error("a unit id is 1-247, not \(id)") }
            if units.contains(where: { $0.id == id }) { throw u["id"]!.error("unit \(id) is already on this bus") }
            var holes: [(table: ModbusTable, range: Range<Int>)] = []
            for holeNode in try u["holes"]?.sequence("address ranges never to read") ?? [] {
                let h = try holeNode.mapping("a hole", keys: ["table", "from", "to"], required: ["table", "from", "to"])
                let from = try address(h["from"]!, addressing: .protocol).address, to = try address(h["to"]!, addressing: .protocol).address
                guard to >= from else { throw h["to"]!.error("a hole ends at or after its start (\(from))") }
                holes.append((try table(h["table"]!), from..<(to + 1)))
            }
            var points: [ModbusPoint] = []
            for pointNode in try u["points"]!.sequence("the unit's points") {
                let point = try self.point(pointNode, addressing: addressing, groups: groups, directory: directory)
                if let first = names[point.name] { throw pointNode.error("a point called '\(point.name)' is already at \(first.location)") }
                names[point.name] = pointNode
                if let hole = holes.first(where: { $0.table == point.table && $0.range.overlaps(point.span) }) {
                    throw pointNode.error("'\(point.name)' lies in the hole \(hole.table.rawValue) \(hole.range.lowerBound)-\(hole.range.upperBound - 1)")
                }
                points.append(point)
            }
            units.append(ModbusUnit(id: id, name: try u["name"]?.string("a unit name") ?? "unit \(id)", points: points, holes: holes))
        }
        return ModbusProfile(name: try top["device"]!.string("the device's name"), transport: transport, timeout: timeout, retries: retries,
                             interRequestDelay: delay, maximumGap: maximumGap, groups: groups, units: units)
    }

    /// How a profile writes addresses.
    enum Addressing { case `protocol`, oneBased, modicon }

    private static func point(_ node: YAMLValue, addressing: Addressing, groups: [ModbusPollGroup], directory: String) throws(EdgeNodeError) -> ModbusPoint {
        let f = try node.mapping("a point", keys: ["name", "table", "address", "type", "order", "scale", "offset", "unit", "access",
                                                   "group", "deadband", "invalid", "simulate"], required: ["name", "address"])
        let name = try f["name"]!.string("a point name")
        let (address, implied) = try self.address(f["address"]!, addressing: addressing)
        var pointTable: ModbusTable
        if let node = f["table"] {
            pointTable = try table(node)
            if let implied, implied != pointTable {
                throw node.error("modicon address \(try f["address"]!.string("an address")) is in the \(implied.rawValue) table, not \(pointTable.rawValue)")
            }
        } else if let implied {
            pointTable = implied
        } else {
            throw node.error("'\(name)' needs a table: coil, discrete, input or holding")
        }
        var type: ModbusValueType?
        if let typeNode = f["type"] {
            let text = try typeNode.string("a type")
            if text == "bool" {
                guard pointTable.isBits else { throw typeNode.error("bool is for coils and discrete inputs; a bit of a register is bit:N") }
            } else {
                guard let parsed = ModbusValueType(name: text) else {
                    throw typeNode.error("expected a type: bool, bit:N, int16, uint16, int32, uint32, int64, uint64, float32, float64 or string:N; found '\(text)'")
                }
                guard !pointTable.isBits else { throw typeNode.error("a \(pointTable.rawValue) holds one bit: its type is bool") }
                type = parsed
            }
        } else if !pointTable.isBits {
            type = .uint16
        }
        let order: WordOrder = try f["order"]?.choice("a word order", Dictionary(uniqueKeysWithValues: WordOrder.allCases.map { ($0.rawValue, $0) })) ?? .abcd
        let span = type?.registerCount ?? 1
        guard address + span <= 65_536 else { throw f["address"]!.error("'\(name)' runs past address 65535") }
        let writable: Bool = try f["access"]?.choice("an access", ["read": false, "read-write": true]) ?? false
        if writable && !pointTable.isWritable { throw f["access"]!.error("\(pointTable.rawValue) tables are read-only") }
        let group = try f["group"]?.string("a poll group") ?? groups[0].name
        guard groups.contains(where: { $0.name == group }) else {
            throw f["group"]!.error("no poll group '\(group)' (the profile has \(groups.map(\.name).joined(separator: ", ")))")
        }
        let deadband = try f["deadband"]?.double("a deadband")
        if let deadband, deadband < 0 { throw f["deadband"]!.error("a deadband cannot be negative") }
        let scale = try f["scale"]?.double("a scale factor") ?? 1
        guard scale != 0 else { throw f["scale"]!.error("a scale of 0 loses the value") }
        let generator = try f["simulate"].map { node throws(EdgeNodeError) in try self.generator(node, directory: directory) }
        var isString = false
        if case .string = type { isString = true }
        switch generator {
        case nil, .extremes?: break
        case .text?: if !isString { throw f["simulate"]!.error("text: is for string points; this one is \(type?.description ?? "bool")") }
        default: if isString { throw f["simulate"]!.error("a string point is simulated with text: ... or extremes: ...") }
        }
        return ModbusPoint(name: name, table: pointTable, address: address, type: type, order: order, scale: scale,
                           offset: try f["offset"]?.double("an offset") ?? 0, unit: try f["unit"]?.string("a unit"), writable: writable,
                           group: group, deadband: deadband, invalid: try f["invalid"]?.double("the raw invalid value"),
                           generator: generator)
    }

    /// A protocol address from the profile's convention; modicon addresses also say their table.
    private static func address(_ node: YAMLValue, addressing: Addressing) throws(EdgeNodeError) -> (address: Int, table: ModbusTable?) {
        let value = try node.integer("an address")
        switch addressing {
        case .protocol:
            guard (0...65_535).contains(value) else { throw node.error("a protocol address is 0-65535, not \(value)") }
            return (value, nil)
        case .oneBased:
            guard (1...65_536).contains(value) else { throw node.error("a one-based address is 1-65536, not \(value)") }
            return (value - 1, nil)
        case .modicon:
            // 5-digit (0xxxx-4xxxx, 1-9999) or 6-digit (0xxxxx-4xxxxx, 1-65536) Modicon references.
            let tables: [Int: ModbusTable] = [0: .coil, 1: .discrete, 3: .input, 4: .holding]
            let digits = String(value).count
            let divisor = digits >= 6 ? 100_000 : 10_000
            guard let table = tables[value / divisor], value % divisor >= 1 else {
                throw node.error("expected a Modicon reference such as 40001 (holding 0), 30001 (input 0), 10001 (discrete 0) or 1 (coil 0); found \(value)")
            }
            return (value % divisor - 1, table)
        }
    }

    private static func table(_ node: YAMLValue) throws(EdgeNodeError) -> ModbusTable {
        try node.choice("a table", Dictionary(uniqueKeysWithValues: ModbusTable.allCases.map { ($0.rawValue, $0) }))
    }

    private static func positive(_ node: YAMLValue?, _ what: String) throws(EdgeNodeError) -> Double? {
        guard let node else { return nil }
        let value = try node.double(what)
        guard value > 0 else { throw node.error("expected \(what) above 0, found \(value)") }
        return value
    }

    private static func generator(_ node: YAMLValue, directory: String) throws(EdgeNodeError) -> ModbusGenerator {
        let f = try node.mapping("a generator", keys: ["constant", "text", "ramp", "sine", "noise", "replay", "extremes"])
        guard f.count == 1, let (kind, value) = f.first else { throw node.error("a generator is one of constant, text, ramp, sine, noise, replay or extremes") }
        switch kind {
        case "constant": return .constant(try value.double("a constant value"))
        case "text": return .text(try value.string("a text"))
        case "ramp":
            let r = try value.mapping("a ramp", keys: ["from", "to", "period"], required: ["from", "to", "period"])
            return .ramp(from: try r["from"]!.double("a start value"), to: try r["to"]!.double("an end value"),
                         period: try positive(r["period"], "a period in seconds")!)
        case "sine":
            let s = try value.mapping("a sine", keys: ["mean", "amplitude", "period"], required: ["amplitude", "period"])
            return .sine(mean: try s["mean"]?.double("a mean") ?? 0, amplitude: try s["amplitude"]!.double("an amplitude"),
                         period: try positive(s["period"], "a period in seconds")!)
        case "extremes":
            let e = try value.mapping("extremes", keys: ["interval"], required: [])
            return .extremes(interval: try positive(e["interval"], "an interval in seconds") ?? 1)
        case "noise":
            let n = try value.mapping("noise", keys: ["mean", "sigma"], required: ["sigma"])
            return .noise(mean: try n["mean"]?.double("a mean") ?? 0, sigma: try n["sigma"]!.double("a standard deviation"))
        default:
            let r = try value.mapping("a replay", keys: ["file", "column", "interval"], required: ["file"])
            let file = try r["file"]!.string("a CSV file")
            let path = file.hasPrefix("/") ? file : "\(directory)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else { throw r["file"]!.error("cannot read \(path)") }
            let column = try r["column"]?.integer("a column number (1 = first)") ?? 1
            var values: [Double] = []
            for (index, line) in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                guard fields.count >= column, let number = Double(fields[column - 1].trimmingSpaces) else {
                    if index == 0 { continue }   // a header
                    throw .input("\(path):\(index + 1): expected a number in column \(column)")
                }
                values.append(number)
            }
            guard !values.isEmpty else { throw r["file"]!.error("\(path) has no values") }
            return .replay(values: values, interval: try positive(r["interval"], "an interval in seconds") ?? 1)
        }
    }
}
