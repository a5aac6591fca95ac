// The Swift side of the Modbus benchmark (bench/run-modbus). Usage:
//   modbus-bench client PORT N     our ModbusClient reads 10 holding registers N times: requests/s,
//                                  per-request latency p50 and p99 (microseconds)
//   modbus-bench server PORT       our ModbusSimulator serving 100 holding registers (constants)
//   modbus-bench plan FILE...      per device profile: requests per poll cycle with our plan (as
//                                  planned, and as learned against our simulator, which answers
//                                  exception 2 on undeclared registers), and with one request per
//                                  point (EdgeX's way)
import EdgeIO
import EdgeNode
import Foundation

func client(port: Int, count: Int) throws {
    let client = try ModbusClient(.tcp(host: "127.0.0.1", port: port))
    var latencies = [Double](repeating: 0, count: count)
    let start = monotonicSeconds()
    for index in 0..<count {
        let t = monotonicSeconds()
        _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 10)
        latencies[index] = (monotonicSeconds() - t) * 1e6
    }
    let seconds = monotonicSeconds() - start
    latencies.sort()
    print("swift-client requests_per_s=\(Int(Double(count) / seconds)) p50_us=\(latencies[count / 2]) p99_us=\(latencies[count * 99 / 100])")
}

func server(port: Int) throws {
    let points = (0..<100).map { ModbusPoint(name: "r\($0)", table: .holding, address: $0, type: .uint16, generator: .constant(Double($0))) }
    let profile = ModbusProfile(name: "bench", transport: .tcp(host: "127.0.0.1", port: port), units: [ModbusUnit(id: 1, name: "bench", points: points)])
    let simulator = ModbusSimulator(profile: profile)
    try simulator.listen(host: "127.0.0.1", port: port)
    _ = Array("ready\n".utf8).withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }   // unbuffered, for the script
    simulator.run { false }
}

func plan(_ paths: [String]) throws {
    for path in paths {
        let profile = try ModbusProfileFile.load(path)
        let poller = ModbusPoller(profile: profile)
        let planned = profile.groups.map { poller.plans[$0.name]!.count }.reduce(0, +)
        let points = profile.units.reduce(0) { $0 + $1.points.count }
        // Against the simulator: the first cycle learns the device's holes, the second is steady.
        let simulator = ModbusSimulator(profile: profile)
        let port = try simulator.listen(host: "127.0.0.1", port: 0)
        nonisolated(unsafe) var stop = false
        let thread = Thread { simulator.run { stop } }
        thread.start()
        var served = profile
        served.transport = .tcp(host: "127.0.0.1", port: port)
        var now = 0.0
        let live = ModbusPoller(profile: served, clock: { now }, sleep: { now += $0 })
        let longest = profile.groups.map(\.period).max()! + profile.groups.map(\.stagger).max()!
        for _ in 0..<2 { _ = live.tick(now: now); now += longest }
        let learned = profile.groups.map { live.plans[$0.name]!.count }.reduce(0, +)
        stop = true
        print("plan file=\(path.split(separator: "/").last!) groups=\(profile.groups.count) points=\(points) planned=\(planned) learned=\(learned)")
    }
}

let arguments = CommandLine.arguments
do {
    switch arguments.dropFirst().first {
    case "client" where arguments.count == 4: try client(port: Int(arguments[2])!, count: Int(arguments[3])!)
    case "server" where arguments.count == 3: try server(port: Int(arguments[2])!)
    case "plan": try plan(Array(arguments.dropFirst(2)))
    default:
        print("usage: modbus-bench client PORT N | server PORT | plan FILE...")
        exit(2)
    }
} catch {
    print("modbus-bench: \(error)")
    exit(1)
}
