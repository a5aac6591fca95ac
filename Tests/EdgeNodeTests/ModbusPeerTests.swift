import EdgeIO
import Foundation
import Testing
@testable import EdgeNode

/// `edge-node simulate modbus` as a child process; `port` is where it listens (TCP).
final class SimulatorProcess {
    let child: ChildProcess
    let port: Int

    init(profile: String, arguments: [String] = ["--listen", "127.0.0.1:0"]) throws {
        child = try ChildProcess(repository.appendingPathComponent(".build/debug/edge-node").path,
                                 ["simulate", "modbus", "--profile", profile] + arguments)
        // "serving NAME: N units, M points on 127.0.0.1:PORT (TCP)"
        port = child.ready.split(separator: ":").last.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
    }
}

/// A profile that serves one constant in every type and every order, for the peers to read.
let everyOrderProfile = """
    device: every type in every order
    bus: {tcp: {host: 127.0.0.1, port: 1502}}
    units:
      - id: 1
        points:
          - {name: f32_abcd, table: holding, address: 0, type: float32, order: ABCD, simulate: {constant: -1234.5}}
          - {name: f32_cdab, table: holding, address: 2, type: float32, order: CDAB, simulate: {constant: -1234.5}}
          - {name: f32_badc, table: holding, address: 4, type: float32, order: BADC, simulate: {constant: -1234.5}}
          - {name: f32_dcba, table: holding, address: 6, type: float32, order: DCBA, simulate: {constant: -1234.5}}
          - {name: i32_abcd, table: holding, address: 8, type: int32, order: ABCD, simulate: {constant: -100000}}
          - {name: i32_cdab, table: holding, address: 10, type: int32, order: CDAB, simulate: {constant: -100000}}
          - {name: u64_cdab, table: holding, address: 12, type: uint64, order: CDAB, simulate: {constant: 5000000000}}
          - {name: f64_dcba, table: holding, address: 16, type: float64, order: DCBA, simulate: {constant: 2.718281828}}
          - {name: i16, table: holding, address: 20, type: int16, scale: 0.1, simulate: {constant: -12.3}}
          - {name: setpoint, table: holding, address: 30, type: uint16, access: read-write, simulate: {constant: 7}}
          - {name: motor, table: coil, address: 0, type: bool, access: read-write, simulate: {constant: 1}}
          - {name: door, table: discrete, address: 3, type: bool, simulate: {constant: 1}}
    """

@Suite("Modbus peers: mbpoll, pymodbus client and server, socat RTU")
struct ModbusPeerTests {
    private func writeProfile(_ text: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString).yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// mbpoll reads our simulator: floats in both word orders it knows (-B for ABCD, its default
    /// CDAB), 32-bit integers, a write read back, and exception 2 on an undeclared address.
    @Test func mbpollAgainstTheSimulator() throws {
        let profile = try writeProfile(everyOrderProfile)
        defer { try? FileManager.default.removeItem(at: profile) }
        let simulator = try SimulatorProcess(profile: profile.path)
        let tcp = ["-m", "tcp", "-p", String(simulator.port), "-a", "1", "-1"]
        // mbpoll counts references from 1: reference 1 is protocol address 0.
        let abcd = try run("mbpoll", tcp + ["-t", "4:float", "-B", "-r", "1", "127.0.0.1"])
        #expect(abcd.out.contains("[1]: \t-1234.5"), "\(abcd.out)")
        let cdab = try run("mbpoll", tcp + ["-t", "4:float", "-r", "3", "127.0.0.1"])
        #expect(cdab.out.contains("[3]: \t-1234.5"), "\(cdab.out)")
        let swapped = try run("mbpoll", tcp + ["-t", "4:float", "-r", "1", "127.0.0.1"])
        #expect(!swapped.out.contains("-1234.5"))
        let integers = try run("mbpoll", tcp + ["-t", "4:int", "-B", "-r", "9", "127.0.0.1"])
        #expect(integers.out.contains("[9]: \t-100000"), "\(integers.out)")
        let integersCDAB = try run("mbpoll", tcp + ["-t", "4:int", "-r", "11", "127.0.0.1"])
        #expect(integersCDAB.out.contains("[11]: \t-100000"), "\(integersCDAB.out)")
        let write = try run("mbpoll", tcp + ["-t", "4", "-r", "31", "127.0.0.1", "4711"])
        #expect(write.status == 0, "\(write.out)")
        let back = try runEdgeNode(["modbus", "read", "--host", "127.0.0.1", "--port", String(simulator.port), "--table", "holding", "--address", "30"])
        #expect(back.out.hasPrefix("holding 30: 4711"))
        let undeclared = try run("mbpoll", tcp + ["-t", "4", "-r", "25", "127.0.0.1"])
        #expect(undeclared.out.contains("Illegal data address"), "\(undeclared.out)")
        let readOnly = try run("mbpoll", tcp + ["-t", "4", "-r", "1", "127.0.0.1", "5"])
        #expect(readOnly.out.contains("Illegal data address"), "\(readOnly.out)")
    }

    /// A pymodbus client reads every type in every order as Python's struct lays them out, writes a
    /// register and a coil, and gets exception 2 past the declared points.
    @Test func pymodbusClientAgainstTheSimulator() throws {
        let profile = try writeProfile(everyOrderProfile)
        defer { try? FileManager.default.removeItem(at: profile) }
        let simulator = try SimulatorProcess(profile: profile.path)
        let script = """
            import json, struct, sys
            from pymodbus.client import ModbusTcpClient
            c = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1])); c.connect()
            r = c.read_holding_registers(0, count=21, device_id=1).registers
            def raw(words, order):
                if order in ("CDAB", "DCBA"): words = words[::-1]
                data = b"".join(w.to_bytes(2, "big") for w in words)
                if order in ("BADC", "DCBA"): data = b"".join(data[i:i + 2][::-1] for i in range(0, len(data), 2))
                return data
            out = {
                "f32": [struct.unpack(">f", raw(r[a:a + 2], o))[0] for a, o in ((0, "ABCD"), (2, "CDAB"), (4, "BADC"), (6, "DCBA"))],
                "i32": [struct.unpack(">i", raw(r[a:a + 2], o))[0] for a, o in ((8, "ABCD"), (10, "CDAB"))],
                "u64": struct.unpack(">Q", raw(r[12:16], "CDAB"))[0],
                "f64": struct.unpack(">d", raw(r[16:20], "DCBA"))[0],
                "i16": struct.unpack(">h", raw(r[20:21], "ABCD"))[0],
            }
            c.write_register(30, 99, device_id=1)
            out["written"] = c.read_holding_registers(30, count=1, device_id=1).registers[0]
            c.write_coil(0, False, device_id=1)
            out["coil"] = c.read_coils(0, count=1, device_id=1).bits[0]
            out["door"] = c.read_discrete_inputs(3, count=1, device_id=1).bits[0]
            e = c.read_holding_registers(21, count=2, device_id=1)
            out["exception"] = e.exception_code if e.isError() else None
            print(json.dumps(out))
            """
        let result = try run("python3", ["-c", script, String(simulator.port)])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], "\(result.out)")
        #expect(object["f32"] as? [Double] == [-1234.5, -1234.5, -1234.5, -1234.5])
        #expect(object["i32"] as? [Int] == [-100_000, -100_000])
        #expect(object["u64"] as? Int == 5_000_000_000)
        #expect(object["f64"] as? Double == 2.718281828)
        #expect(object["i16"] as? Int == -123)
        #expect(object["written"] as? Int == 99)
        #expect(object["coil"] as? Bool == false && object["door"] as? Bool == true)
        #expect(object["exception"] as? Int == 2)
    }

    /// Our client against a pymodbus RTU server through a socat pseudo-terminal pair.
    @Test func clientOverRTUAgainstPymodbus() throws {
        let pair = try SocatPair()
        let server = try PymodbusServer(rtu: pair.a)
        let client = try ModbusClient(.rtu(device: pair.b, settings: SerialSettings(baud: 19_200)), timeout: .milliseconds(500))
        let holding = try client.readHoldingRegisters(unit: 1, address: 0, count: 21)
        #expect(ModbusValue.decode(holding[0...], as: .float32, order: .abcd) == .number(123.456))
        #expect(ModbusValue.decode(holding[2...], as: .float32, order: .cdab) == .number(-7.25))
        #expect(ModbusValue.decode(holding[10...], as: .int64, order: .cdab) == .integer(-9_000_000_000))
        #expect(ModbusValue.decode(holding[14...], as: .string(registers: 4)) == .text("PLC-3"))
        #expect(try client.readCoils(unit: 1, address: 0, count: 7) == [true, false, false, true, false, false, true])
        try client.writeRegisters(unit: 1, address: 31, values: [7, 8])
        #expect(try client.readHoldingRegisters(unit: 1, address: 31, count: 2) == [7, 8])
        #expect(throws: ModbusError.exception(.illegalDataAddress)) { _ = try client.readInputRegisters(unit: 1, address: 48, count: 5) }
        // pymodbus answers a unit it does not serve with exception 4 even on RTU; the serial-line
        // specification (section 2.2) has only the addressed slave reply, as our simulator does
        // (silence: see simulatorOverRTU). The reply is still matched to its request.
        #expect(throws: ModbusError.exception(.serverDeviceFailure)) { _ = try client.readHoldingRegisters(unit: 9, address: 0, count: 1) }
        #expect(try client.readInputRegisters(unit: 1, address: 5, count: 3) == [50, 60, 70])
        withExtendedLifetime(server) {}
    }

    /// Our simulator serving RTU on one end of a socat pair: our client and mbpoll on the other,
    /// two units on the line, a third silent.
    @Test func simulatorOverRTU() throws {
        let pair = try SocatPair()
        let simulator = try SimulatorProcess(profile: repository.appendingPathComponent("devices/modbus/vfd.yaml").path, arguments: ["--rtu", pair.a])
        #expect(simulator.child.ready.contains("(RTU 19200 8E1)"))
        do {
            let client = try ModbusClient(.rtu(device: pair.b, settings: SerialSettings(baud: 19_200, parity: .even)), timeout: .milliseconds(300))
            #expect(try client.readHoldingRegisters(unit: 1, address: 1, count: 1) == [4200])
            #expect(try client.readHoldingRegisters(unit: 2, address: 1, count: 1) == [3800])
            #expect(throws: ModbusError.timeout) { _ = try client.readHoldingRegisters(unit: 3, address: 1, count: 1) }
            #expect(throws: ModbusError.exception(.illegalDataAddress)) { _ = try client.readHoldingRegisters(unit: 1, address: 2, count: 1) }
            try client.writeRegister(unit: 2, address: 1, value: 3500)
            #expect(try client.readHoldingRegisters(unit: 2, address: 1, count: 1) == [3500])
        }   // closed: mbpoll opens the same end next
        let mbpoll = try run("mbpoll", ["-m", "rtu", "-b", "19200", "-P", "even", "-a", "1", "-r", "2", "-1", "-t", "4", pair.b])
        #expect(mbpoll.out.contains("[2]: \t4200"), "\(mbpoll.out)")
    }

    /// `modbus scan` finds exactly the units on the bus; `modbus poll` reads every point good.
    @Test func scanAndPollCommands() throws {
        let simulator = try SimulatorProcess(profile: repository.appendingPathComponent("devices/modbus/vfd.yaml").path)
        let target = ["--host", "127.0.0.1", "--port", String(simulator.port)]
        let scan = try runEdgeNode(["modbus", "scan"] + target + ["--units", "1-6", "--timeout", "100", "--json"])
        #expect(scan.status == 0, "\(scan.err)")
        let units = (try JSONSerialization.jsonObject(with: Data(scan.out.utf8)) as? [String: Any])?["units"] as? [[String: Any]]
        #expect(units?.compactMap { $0["unit"] as? Int } == [1, 2])
        #expect(scan.err.hasSuffix("scanned 6/6\n"))
        let poll = try runEdgeNode(["modbus", "poll", "--profile", repository.appendingPathComponent("devices/modbus/vfd.yaml").path] + target
                                   + ["--seconds", "1.2", "--json"])
        #expect(poll.status == 0, "\(poll.err)")
        let readings = poll.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(Set(readings.compactMap { $0["point"] as? String }).count == 14)
        #expect(readings.allSatisfy { $0["quality"] as? String == "good" }, "\(readings.filter { $0["quality"] as? String != "good" })")
        #expect(readings.first { $0["point"] as? String == "outfeed_speed_reference" }?["value"] as? Double == 38)
    }
}
