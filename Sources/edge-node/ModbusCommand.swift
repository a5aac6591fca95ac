import ArgumentParser
import EdgeIO
import EdgeNode

extension ModbusTable: ExpressibleByArgument {}
extension WordOrder: ExpressibleByArgument {}

/// Where the device is and how to reach it: TCP or RTU, the unit, the timeout.
struct ModbusTarget: ParsableArguments {
    @Option(help: "TCP host (Modbus TCP).") var host: String?
    @Option(help: "TCP port.") var port: Int = 502
    @Option(help: "Serial device (Modbus RTU), instead of --host.") var device: String?
    @Option(help: "RTU baud rate.") var baud: Int = 9600
    @Option(help: "RTU parity: N, E or O.") var parity: String = "N"
    @Option(help: "Unit (slave) id, 0-247.") var unit: Int = 1
    @Option(help: "Response timeout, milliseconds.") var timeout: Int = 500

    func validate() throws {
        guard (host == nil) != (device == nil) else { throw ValidationError("give --host (TCP) or --device (RTU), one of them") }
        guard ["N", "E", "O"].contains(parity.uppercased()) else { throw ValidationError("--parity is N, E or O") }
        guard (0...247).contains(unit) else { throw ValidationError("--unit is 0-247") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    var transport: ModbusTransport {
        if let host { return .tcp(host: host, port: port) }
        let parity: SerialSettings.Parity = switch parity.uppercased() { case "E": .even; case "O": .odd; default: .none }
        return .rtu(device: device!, settings: SerialSettings(baud: baud, parity: parity))
    }
}

/// What to read or write and how to decode it.
struct ModbusSelection: ParsableArguments {
    @Option(help: "coil, discrete, input or holding.") var table: ModbusTable
    @Option(help: "0-based protocol address (40001 in 4xxxx notation is address 0).") var address: Int
    @Option(help: "How many values.") var count: Int = 1
    @Option(help: "int16, uint16, int32, uint32, int64, uint64, float32, float64, bit:N or string:N.") var type = "uint16"
    @Option(help: "Byte and word order: ABCD (big-endian), CDAB, BADC or DCBA.") var order: WordOrder = .abcd

    func validate() throws {
        guard ModbusValueType(name: type) != nil else { throw ValidationError("--type: unknown type '\(type)'") }
        guard address >= 0, address <= 65_535 else { throw ValidationError("--address is 0-65535 (protocol addresses are 0-based)") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func request(_ target: ModbusTarget) -> ModbusCommands.ReadRequest {
        ModbusCommands.ReadRequest(transport: target.transport, unit: target.unit, table: table, address: address, count: count,
                                   type: ModbusValueType(name: type)!, order: order, timeout: .milliseconds(target.timeout))
    }
}

struct Modbus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modbus",
        abstract: "Read, write, decode, scan and poll Modbus devices (TCP and RTU), safely.",
        subcommands: [Read.self, Write.self, Decode.self, Scan.self, Poll.self]
    )

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scan",
            abstract: "Which unit ids answer on a bus (with progress on stderr).",
            discussion: """
            Asks each unit id for holding register 0: values or an exception both mean a device is \
            there; silence (or a gateway's exception 10/11) means nobody. Keep --timeout short on \
            RTU: a full 1-247 scan waits one timeout per empty id.

            Examples:
              edge-node modbus scan --device /dev/ttyUSB0 --baud 19200 --parity E --timeout 100
              edge-node modbus scan --host 10.0.0.20 --units 1-16 --json
            """
        )
        @OptionGroup var target: ModbusTarget
        @Option(help: "Unit ids to try, FROM-TO.") var units = "1-247"
        @Flag(help: "JSON: {\"units\": [{\"unit\": N, \"answer\": \"...\"}]}.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let bounds = units.split(separator: "-").compactMap { Int($0) }
                guard bounds.count == 2, (0...247).contains(bounds[0]), (bounds[0]...247).contains(bounds[1]) else {
                    throw .input("--units '\(units)': expected FROM-TO within 0-247, e.g. 1-247")
                }
                var progress = OutputSink(descriptor: 2)
                let found = try ModbusCommands.scan(target.transport, units: bounds[0]...bounds[1], timeout: .milliseconds(target.timeout)) { done, total in
                    progress.write("\rscanned \(done)/\(total)")
                    if done == total { progress.write("\n") }
                    progress.flush()
                }
                var output = OutputSink()
                output.write(ModbusCommands.render(scan: found, json: json))
            }
        }
    }

    struct Poll: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poll",
            abstract: "Poll a device profile's points live: value, unit, quality, raw registers.",
            discussion: """
            Runs the polling engine the daemon uses: poll groups with their periods, the fewest \
            requests, busy retries, dead units skipped, reconnects. --host/--port or --device \
            override the profile's bus (e.g. to try an RTU profile against 'edge-node simulate \
            modbus' over TCP).

            Examples:
              edge-node modbus poll --profile devices/modbus/energy-meter.yaml
              edge-node modbus poll --profile devices/modbus/line-plc.yaml --port 1502 --seconds 10 --json
            """
        )
        @Option(help: "The device profile.") var profile: String
        @Option(help: "Override the profile's TCP host.") var host: String?
        @Option(help: "Override the profile's TCP port.") var port: Int?
        @Option(help: "Override the profile's RTU device.") var device: String?
        @Option(help: "Stop after this many seconds (default: until interrupted).") var seconds: Double?
        @Flag(help: "JSON Lines, one reading per line.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                guard device == nil || (host == nil && port == nil) else { throw .input("--host/--port (TCP) or --device (RTU), not both") }
                var transport: ModbusTransport?
                if host != nil || port != nil || device != nil {
                    var profileHost = "127.0.0.1", profilePort = 502, settings = SerialSettings(baud: 19_200, parity: .even)
                    switch try ModbusProfileFile.load(profile).transport {
                    case .tcp(let h, let p): (profileHost, profilePort) = (h, p)
                    case .rtu(_, let s): settings = s
                    }
                    transport = device.map { .rtu(device: $0, settings: settings) } ?? .tcp(host: host ?? profileHost, port: port ?? profilePort)
                }
                var output = OutputSink()
                try ModbusCommands.poll(profilePath: profile, transport: transport, seconds: seconds, json: json, output: &output)
            }
        }
    }

    struct Read: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "read",
            abstract: "Read values; prints them with the raw registers, or the exception's name.",
            discussion: """
            Examples:
              edge-node modbus read --host 10.0.0.5 --unit 1 --table holding --address 100 --count 4
              edge-node modbus read --host 10.0.0.5 --table input --address 0 --type float32 --order CDAB --json
              edge-node modbus read --device /dev/ttyUSB0 --baud 19200 --parity E --unit 7 --table coil --address 0 --count 8
            """
        )
        @OptionGroup var target: ModbusTarget
        @OptionGroup var point: ModbusSelection
        @Flag(help: "{\"values\": [...], \"registers\": [...]}") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try ModbusCommands.read(point.request(target), json: json))
            }
        }
    }

    struct Write: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write",
            abstract: "Write one coil or one value into holding registers (refuses without --yes).",
            discussion: """
            Examples:
              edge-node modbus write --host 10.0.0.5 --table holding --address 10 --type float32 --value 12.5 --yes
              edge-node modbus write --host 10.0.0.5 --table coil --address 3 --value on --yes
            """
        )
        @OptionGroup var target: ModbusTarget
        @OptionGroup var point: ModbusSelection
        @Option(help: "The value (a number; for a coil 1/0, on/off).") var value: String
        @Flag(help: "Confirm: writing changes the plant.") var yes = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try ModbusCommands.write(point.request(target), value: value, confirmed: yes))
            }
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decode",
            abstract: "Show 1-4 registers as every type in every byte and word order.",
            discussion: """
            The first question with a new device: which order does it use? Find the row that reads \
            a sensible value.

            Examples:
              edge-node modbus decode 0x4348 0x0000
              edge-node modbus decode 0x4348 0x0000 --json
            """
        )
        @Argument(help: "Registers, decimal or 0x hex.") var registers: [String]
        @Flag(help: "JSON: each type's value in each order.") var json = false

        func run() throws {
            let words = try registers.map { text -> UInt16 in
                let value = text.lowercased().hasPrefix("0x") ? UInt16(text.dropFirst(2), radix: 16) : UInt16(text)
                guard let value else { throw ValidationError("'\(text)' is not a register value (0-65535 or 0x0000-0xFFFF)") }
                return value
            }
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(try ModbusCommands.decode(words, json: json))
            }
        }
    }
}
