import Foundation
import Testing
@testable import EdgeIO
import EdgeNode

/// A pymodbus server for the duration of a test: Modbus TCP on a free loopback port, or RTU
/// (19200 8N1) on a serial device or pseudo-terminal.
final class PymodbusServer {
    let port: Int
    private let process = Process()
    private let input = Pipe()

    init(rtu device: String? = nil) throws {
        port = Int.random(in: 20_000...40_000)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("Tests/EdgeNodeTests/Peers/modbus_server.py").path, device ?? String(port)]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = output.fileHandleForReading.availableData // "ready"
        guard device == nil else { usleep(500_000); return }  // the serial port opens right after "ready"
        // The listening socket comes up right after "ready": retry the first connection briefly.
        for _ in 0..<50 {
            if (try? ModbusClient(.tcp(host: "127.0.0.1", port: port))) != nil { return }
            usleep(100_000)
        }
    }

    deinit {
        // The server exits when its input closes (pymodbus ignores SIGTERM); wait for it too:
        // Foundation's process monitor must not outlive the Process.
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// A child process stopped with SIGKILL at the end of the test (children of the test runner
/// have SIGTERM blocked); `ready` is its first output.
final class ChildProcess {
    let process = Process()
    let ready: String

    init(_ executable: String, _ arguments: [String], waitForOutput: Bool = true) throws {
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        ready = waitForOutput ? String(decoding: output.fileHandleForReading.availableData, as: UTF8.self) : ""
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Two linked pseudo-terminals from socat: what one end writes the other reads, like a serial cable.
final class SocatPair {
    let a: String, b: String
    private let child: ChildProcess

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-rtu-\(UUID().uuidString)").path
        (a, b) = (base + "-a", base + "-b")
        child = try ChildProcess("socat", ["pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"], waitForOutput: false)
        for _ in 0..<100 where !(FileManager.default.fileExists(atPath: a) && FileManager.default.fileExists(atPath: b)) { usleep(20_000) }
    }
}

@Suite("Modbus against pymodbus")
struct ModbusTests {
    /// Every type in every order, as the server (Python's struct) laid the values out.
    @Test func typesAndOrders() throws {
        let server = try PymodbusServer()
        let client = try ModbusClient(.tcp(host: "127.0.0.1", port: server.port))
        let holding = try client.readHoldingRegisters(unit: 1, address: 0, count: 21)
        #expect(ModbusValue.decode(holding[0...], as: .float32, order: .abcd) == .number(123.456))
        #expect(ModbusValue.decode(holding[2...], as: .float32, order: .cdab) == .number(-7.25))
        #expect(ModbusValue.decode(holding[4...], as: .float64, order: .abcd) == .number(6.02214076e23))
        #expect(ModbusValue.decode(holding[8...], as: .int32, order: .abcd) == .integer(-123_456))
        #expect(ModbusValue.decode(holding[10...], as: .int64, order: .cdab) == .integer(-9_000_000_000))
        #expect(ModbusValue.decode(holding[14...], as: .string(registers: 4)) == .text("PLC-3"))
        #expect(ModbusValue.decode(holding[20...], as: .int16) == .integer(-2))
        #expect(ModbusValue.decode(holding[20...], as: .uint16) == .unsigned(65_534))
        #expect(ModbusValue.decode(holding[20...], as: .bit(0)) == .integer(0) && ModbusValue.decode(holding[20...], as: .bit(1)) == .integer(1))
        #expect(try client.readInputRegisters(unit: 1, address: 5, count: 3) == [50, 60, 70])
        #expect(try client.readCoils(unit: 1, address: 0, count: 7) == [true, false, false, true, false, false, true])
        #expect(try client.readDiscreteInputs(unit: 1, address: 0, count: 4) == [false, true, false, true])
    }

    /// Every numeric type in every order against Python's struct, on random values: our encode
    /// and decode agree with the bytes struct packs.
    @Test func encodeDecodeAgainstStruct() throws {
        var cases: [(ModbusValueType, WordOrder, Double)] = []
        for type in ModbusValueType.numeric {
            for order in WordOrder.allCases {
                let value: Double = switch type {
                case .float32, .float64: Double.random(in: -1e6...1e6)
                case .int16: Double(Int.random(in: -32_768...32_767))
                case .uint16: Double(Int.random(in: 0...65_535))
                case .int32: Double(Int.random(in: -2_000_000_000...2_000_000_000))
                default: Double(Int.random(in: 0...4_000_000_000))
                }
                cases.append((type, order, type == .float32 ? Double(Float(value)) : value))
            }
        }
        let script = """
            import struct, sys, json
            fmts = {"int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "int64": "q", "uint64": "Q", "float32": "f", "float64": "d"}
            out = []
            for t, order, v in json.loads(sys.stdin.read()):
                f = fmts[t]
                raw = struct.pack(">" + f, v if f in "fd" else int(v))
                words = [raw[i:i + 2] for i in range(0, len(raw), 2)]
                if order in ("CDAB", "DCBA"): words = words[::-1]
                if order in ("BADC", "DCBA"): words = [w[::-1] for w in words]
                out.append([int.from_bytes(w, "big") for w in words])
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: cases.map { [$0.0.description, $0.1.rawValue, $0.2] }))
        try input.fileHandleForWriting.close()
        let expected = try JSONSerialization.jsonObject(with: output.fileHandleForReading.readDataToEndOfFile()) as! [[Int]]
        process.waitUntilExit()
        for ((type, order, value), words) in zip(cases, expected) {
            let registers = words.map { UInt16($0) }
            #expect(ModbusValue.encode(value, as: type, order: order) == registers, "\(type) \(order) \(value)")
            let decoded = try #require(ModbusValue.decode(registers[...], as: type, order: order).doubleValue)
            // float32 reads as the float's shortest decimal: compare as floats.
            #expect(type == .float32 ? Float(decoded) == Float(value) : decoded == value, "\(type) \(order) \(value)")
        }
    }

    /// Writes of every function code read back; exception 2 past the end; an unknown unit.
    @Test func writesExceptionsAndUnits() throws {
        let server = try PymodbusServer()
        let client = try ModbusClient(.tcp(host: "127.0.0.1", port: server.port), timeout: .milliseconds(300))
        try client.writeRegister(unit: 1, address: 30, value: 4711)
        try client.writeRegisters(unit: 1, address: 31, values: [1, 2, 3])
        try client.writeCoil(unit: 1, address: 20, value: true)
        try client.writeCoils(unit: 1, address: 21, values: [true, false, true])
        #expect(try client.readHoldingRegisters(unit: 1, address: 30, count: 4) == [4711, 1, 2, 3])
        #expect(try client.readCoils(unit: 1, address: 20, count: 4) == [true, true, false, true])
        #expect(try client.writeAndReadRegisters(unit: 1, writeAddress: 40, values: [9, 8], readAddress: 40, count: 2) == [9, 8])
        #expect(throws: ModbusError.exception(.illegalDataAddress)) { _ = try client.readHoldingRegisters(unit: 1, address: 98, count: 5) }
        // pymodbus answers a unit it does not serve with exception 4 (some devices stay silent: a timeout).
        #expect(throws: ModbusError.exception(.serverDeviceFailure)) { _ = try client.readHoldingRegisters(unit: 9, address: 0, count: 1) }
        #expect(throws: ModbusError.invalidRequest("a register read covers 1 to 125 registers, not 126")) {
            _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 126)
        }
        // The connection still works after the errors.
        #expect(try client.readInputRegisters(unit: 1, address: 1, count: 1) == [10])
    }

    @Test func technicianCommands() throws {
        let server = try PymodbusServer()
        let target = ["--host", "127.0.0.1", "--port", String(server.port), "--unit", "1"]
        let read = try runEdgeNode(["modbus", "read"] + target + ["--table", "holding", "--address", "2", "--type", "float32", "--order", "CDAB", "--json"])
        #expect(read.status == 0, "\(read.err)")
        let object = try JSONSerialization.jsonObject(with: Data(read.out.utf8)) as! [String: Any]
        #expect(object["values"] as? [Double] == [-7.25] && object["registers"] as? [Int] == [0, 0xC0E8])
        let refused = try runEdgeNode(["modbus", "write"] + target + ["--table", "holding", "--address", "50", "--value", "12"])
        #expect(refused.status == 2 && refused.err.contains("add --yes"))
        let wrote = try runEdgeNode(["modbus", "write"] + target + ["--table", "holding", "--address", "50", "--type", "float32", "--value", "12.5", "--yes"])
        #expect(wrote.status == 0, "\(wrote.err)")
        let back = try runEdgeNode(["modbus", "read"] + target + ["--table", "holding", "--address", "50", "--type", "float32"])
        #expect(back.out.hasPrefix("holding 50: 12.5 (float32 ABCD; registers 0x4148 0x0000)"))
        let failed = try runEdgeNode(["modbus", "read"] + target + ["--table", "input", "--address", "60"])
        #expect(failed.status == 1 && failed.err.contains("exception 2, illegal data address"))
        let decode = try runEdgeNode(["modbus", "decode", "0x4348", "0x0000"])
        #expect(decode.status == 0 && decode.out.contains("float32  200.0"))
        let decodeJSON = try runEdgeNode(["modbus", "decode", "0x4348", "0x0000", "--json"])
        let decodings = (try JSONSerialization.jsonObject(with: Data(decodeJSON.out.utf8)) as? [String: Any])?["decodings"] as? [String: [String: Any]]
        #expect(decodings?["float32"]?["ABCD"] as? Double == 200 && decodings?["uint16"]?["ABCD"] as? Int == 0x4348, "\(decodeJSON.out)")
        #expect(decodings?.keys.contains("float64") == false)
    }
}
