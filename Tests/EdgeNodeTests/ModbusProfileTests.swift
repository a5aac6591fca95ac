import EdgeIO
import Foundation
import Testing
@testable import EdgeNode

@Suite("Modbus device profiles")
struct ModbusProfileTests {
    /// The four shipped profiles load, with their conventions applied.
    @Test func shippedProfilesLoad() throws {
        let directory = repository.appendingPathComponent("devices/modbus")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == ["energy-meter.yaml", "line-plc.yaml", "vfd.yaml", "vibration-transmitter.yaml"])
        let profiles = try files.map { try ModbusProfileFile.load(directory.appendingPathComponent($0).path) }
        // Modicon: 30001 is input register 0, 40001 holding 0.
        let meter = profiles[0]
        #expect(meter.point(named: "voltage_l1")?.point.table == .input && meter.point(named: "voltage_l1")?.point.address == 0)
        #expect(meter.point(named: "voltage_l1")?.point.order == .cdab)
        #expect(meter.point(named: "ct_ratio")?.point.table == .holding && meter.point(named: "ct_ratio")?.point.address == 0)
        // One-based: address 1 is protocol address 0; RTU 19200 8E1 with two units.
        let vfd = profiles[2]
        #expect(vfd.point(named: "infeed_control_word")?.point.address == 0 && vfd.units.map(\.id) == [1, 2])
        #expect(vfd.transport == .rtu(device: "/dev/ttyUSB0", settings: SerialSettings(baud: 19_200, parity: .even)))
        #expect(profiles[1].units[0].holes.map(\.range) == [20..<30])
        #expect(profiles[3].point(named: "velocity_rms")?.point.invalid == -32_768)
    }

    /// Each mistake names file, line and column and what was expected.
    @Test(arguments: [
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: holding, address: 0, colour: red}\n",
         "4:47: unknown key 'colour' in a point"),
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: holding, address: 0, type: float31}\n",
         "4:53: expected a type: bool, bit:N, int16"),
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: input, address: 0, access: read-write}\n",
         "4:53: input tables are read-only"),
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: holding, address: 0, group: fast}\n",
         "4:54: no poll group 'fast' (the profile has default)"),
        ("units:\n  - id: 1\n    holes: [{table: holding, from: 5, to: 9}]\n    points:\n      - {name: a, table: holding, address: 4, type: uint32}\n",
         "5:9: 'a' lies in the hole holding 5-9"),
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: holding, address: 0}\n      - {name: a, table: holding, address: 1}\n",
         "5:9: a point called 'a' is already at"),
        ("addressing: modicon\nunits:\n  - id: 1\n    points:\n      - {name: a, table: input, address: 40001}\n",
         "5:26: modicon address 40001 is in the holding table, not input"),
        ("units:\n  - id: 300\n    points: []\n", "2:9: a unit id is 1-247, not 300"),
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: holding, address: 0, simulate: {text: x}}\n",
         "4:57: text: is for string points; this one is uint16"),
        ("units:\n  - id: 1\n    points:\n      - {name: a, table: coil, address: 0, type: int16}\n",
         "4:50: a coil holds one bit: its type is bool"),
    ]) func mistakesNameTheirPlace(body: String, message: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try ("device: test\nbus: {tcp: {host: 127.0.0.1}}\n" + body).write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try ModbusProfileFile.load(file.path)
            Issue.record("no error for \(body)")
        } catch {
            // The body starts at line 3.
            let parts = message.split(separator: ":", maxSplits: 2)
            let located = "\(file.path):\(Int(parts[0])! + 2):\(parts[1]):\(parts[2])"
            #expect(error.message.hasPrefix(located), "\(error.message)")
        }
    }
}
