import EdgeIO
import Foundation
import NIOConcurrencyHelpers
import Synchronization
import Testing
@testable import EdgeNode

/// The Modbus simulator serving from a thread of its own: TCP on a free loopback port, or RTU
/// on a serial device or pseudo-terminal.
final class RunningSimulator: @unchecked Sendable {
    let simulator: ModbusSimulator
    /// The TCP port (0 for RTU).
    let port: Int
    private final class Flags: Sendable {
        let stop = Atomic(false)
        let finished = Atomic(false)
    }
    private let flags = Flags()

    init(_ profile: ModbusProfile, port: Int = 0, rtu device: String? = nil, faults: ModbusSimulator.Faults = .init()) throws {
        simulator = ModbusSimulator(profile: profile, faults: faults)
        if let device {
            try simulator.serveRTU(device: device, settings: SerialSettings(baud: 19_200, parity: .even))
            self.port = 0
        } else {
            self.port = try simulator.listen(host: "127.0.0.1", port: port)
        }
        Thread { [simulator, flags] in
            simulator.run { flags.stop.load(ordering: .relaxed) }
            flags.finished.store(true, ordering: .releasing)
        }.start()
    }

    /// Stops serving and closes every socket (a device that went away).
    func stop() {
        flags.stop.store(true, ordering: .relaxed)
        while !flags.finished.load(ordering: .acquiring) { usleep(5_000) }
    }

    deinit { stop() }
}

/// Simulated time for the poller: the clock only moves when the poller sleeps or the test says.
final class SimulatedTime: @unchecked Sendable {
    var now = 1_000.0
    var slept: [Double] = []
    var clock: () -> Double { { self.now } }
    var sleep: (Double) -> Void { { self.slept.append($0); self.now += $0 } }
}

/// A profile on `port` of the shipped file `name`, its bus moved to the test's simulator.
func shippedProfile(_ name: String, port: Int, timeout: Double? = nil) throws -> ModbusProfile {
    var profile = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/\(name)").path)
    profile.transport = .tcp(host: "127.0.0.1", port: port)
    if let timeout { profile.timeout = timeout }
    return profile
}

@Suite("Modbus polling engine against the simulator")
struct ModbusEngineTests {
    /// The plan of every shipped profile reads each poll group in the fewest requests: the count
    /// per cycle is asserted, every value is good and equals what the simulator serves.
    @Test func minimalPlanAndValues() throws {
        let plc = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path)
        let server = try RunningSimulator(plc)
        let time = SimulatedTime()
        let poller = ModbusPoller(profile: try shippedProfile("line-plc.yaml", port: server.port), clock: time.clock, sleep: time.sleep)
        // fast: holding 0-7 in one read (float32, float32, uint32, status bits, int16), coils 0-1, discrete 0.
        #expect(poller.plans["fast"]!.map { "\($0.table) \($0.range)" } == ["coil 0..<2", "discrete 0..<1", "holding 0..<8"])
        // slow: holding 10-17 (int64 + string:4) but not 30 (beyond the hole at 20-29), input 0.
        #expect(poller.plans["slow"]!.map { "\($0.table) \($0.range)" } == ["holding 10..<18", "holding 30..<31", "input 0..<3"])
        let report = poller.tick(now: time.now + 0.3)   // the slow group is staggered by 0.25 s
        #expect(report.requests == 6)
        #expect(report.readings.count == plc.units[0].points.count)
        for reading in report.readings {
            #expect(reading.quality == .good, "\(reading.point)")
            if case .string(let text) = reading.value { #expect(text == "PET-500") } else {
                let served = try #require(server.simulator.value(of: reading.point))
                // Noise and sines move between the server's refresh and ours; constants and ramps within rounding.
                let tolerance = ["oven_temperature", "line_speed", "ambient_humidity", "product_count", "energy_total", "discharge_pressure",
                                 "motor_temperature"].contains(reading.point) ? 20.0 : 1e-9
                #expect(abs((reading.value?.doubleValue ?? .nan) - served) <= tolerance, "\(reading.point): \(String(describing: reading.value)) vs \(served)")
            }
        }
        #expect(report.readings.first { $0.point == "speed_setpoint" }?.value == .double(120))
        #expect(report.readings.first { $0.point == "status_running" }?.value == .bool(true))
        #expect(report.readings.first { $0.point == "conveyor_motor" }?.value == .bool(true))
    }

    /// A merged read over registers the device does not have fails with exception 2: the engine
    /// splits it in halves until every read succeeds, and remembers the split.
    @Test func exceptionTwoSplitsAndIsRemembered() throws {
        let vfd = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/vfd.yaml").path)
        let server = try RunningSimulator(vfd)
        let time = SimulatedTime()
        var profile = vfd
        profile.transport = .tcp(host: "127.0.0.1", port: server.port)
        let poller = ModbusPoller(profile: profile, clock: time.clock, sleep: time.sleep)
        // Unit 1's drive group merges holding 0-7 (max_gap 4) across the undeclared 2 and 6.
        #expect(poller.plans["drive"]!.filter { $0.unit == 1 }.map(\.range) == [0..<8])
        let first = poller.tick(now: time.now)
        #expect(poller.statistics.splits >= 2)
        #expect(first.readings.allSatisfy { $0.quality == .good }, "\(first.readings.filter { $0.quality != .good })")
        let learned = poller.plans["drive"]!.count
        time.now += 0.5
        let second = poller.tick(now: time.now)
        #expect(second.requests == learned)
        #expect(server.simulator.counters.exceptions == poller.statistics.splits)
        #expect(second.readings.first { $0.point == "infeed_speed_reference" }?.value == .double(42))
    }

    /// Busy replies (exception 6) are asked again after the busy wait, not reported as failures.
    @Test func busyIsRetried() throws {
        var faults = ModbusSimulator.Faults()
        faults.busyReplies = 2
        let meter = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/energy-meter.yaml").path)
        let server = try RunningSimulator(meter, faults: faults)
        let time = SimulatedTime()
        let poller = ModbusPoller(profile: try shippedProfile("energy-meter.yaml", port: server.port), clock: time.clock, sleep: time.sleep)
        let report = poller.tick(now: time.now)
        #expect(poller.statistics.busyRetries == 2)
        #expect(time.slept.filter { $0 == poller.busyWait }.count == 2)
        #expect(report.readings.filter { $0.point.hasPrefix("voltage") }.allSatisfy { $0.quality == .good })
        // CDAB floats: the volts are volts.
        let volts = try #require(report.readings.first { $0.point == "voltage_l1" }?.value?.doubleValue)
        #expect((220...240).contains(volts))
    }

    /// A dead unit costs the healthy one at most one timeout per cycle, and after three failed
    /// cycles none: it is skipped (its points stale) for a backoff that doubles at each failed probe.
    @Test func deadUnitDelaysOthersByAtMostOneTimeout() throws {
        var faults = ModbusSimulator.Faults()
        faults.silentUnits = [2]
        let vfd = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/vfd.yaml").path)
        let server = try RunningSimulator(vfd, faults: faults)
        let time = SimulatedTime()
        var profile = vfd
        profile.transport = .tcp(host: "127.0.0.1", port: server.port)
        profile.timeout = 0.1
        let poller = ModbusPoller(profile: profile, clock: time.clock, sleep: time.sleep)
        for cycle in 1...6 {
            let report = poller.tick(now: time.now)
            let timeouts = report.timeouts[2] ?? 0
            // Cycles 1-3 fail; skipped for 1 s (cycle 4); a probe in cycle 5 fails; skipped for 2 s.
            #expect(timeouts == ([1, 2, 3, 5].contains(cycle) ? 1 : 0), "cycle \(cycle): \(report.readings.filter { $0.point.hasPrefix("outfeed") }.map(\.quality))")
            #expect(report.timeouts[1] == nil)
            #expect(report.readings.filter { $0.point.hasPrefix("infeed") }.allSatisfy { $0.quality == .good }, "cycle \(cycle)")
            let outfeed = report.readings.filter { $0.point.hasPrefix("outfeed") }
            #expect(!outfeed.isEmpty && outfeed.allSatisfy { if case .stale = $0.quality { true } else { false } }, "cycle \(cycle)")
            if cycle == 4 { #expect(outfeed.allSatisfy { $0.quality.description == "stale: unit 2 skipped after 3 failed cycles" }) }
            time.now += 0.5
        }
        // The 2 s skip from cycle 5 is over: one probe, still dead.
        time.now += 1
        #expect(poller.tick(now: time.now).timeouts[2] == 1)
    }

    /// After the device goes away the engine reconnects by itself, no sooner than the backoff and
    /// at the first poll after it once the device is back.
    @Test func reconnectAfterRestart() throws {
        let meter = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/energy-meter.yaml").path)
        var server = try RunningSimulator(meter)
        let port = server.port
        let time = SimulatedTime()
        let poller = ModbusPoller(profile: try shippedProfile("energy-meter.yaml", port: port), clock: time.clock, sleep: time.sleep)
        #expect(poller.tick(now: time.now).readings.allSatisfy { $0.quality == .good })
        server.stop()
        time.now += 1
        let lost = poller.tick(now: time.now)
        #expect(lost.readings.contains { if case .bad = $0.quality { true } else { false } })
        server = try RunningSimulator(meter, port: port)
        // Within the backoff (0.5 s) nothing is tried; at the next poll after it, good values.
        time.now += 0.2
        let waiting = poller.tick(now: time.now)
        #expect(waiting.requests == 0)
        #expect(waiting.readings.allSatisfy { if case .bad(.communication, let reason) = $0.quality { reason.contains("reconnecting in 0.3 s") } else { false } })
        time.now += 1
        let back = poller.tick(now: time.now)
        #expect(back.readings.filter { $0.point.hasPrefix("voltage") }.allSatisfy { $0.quality == .good })
        #expect(poller.statistics.connects == 2)
    }

    /// Writes go before polls (the poll in the same tick already reads the written value); the
    /// queue is bounded (a full queue rejects writes, and a poll that finds it full is dropped and
    /// counted); polls that fall behind are dropped and counted, not queued up.
    @Test func writePriorityBoundedQueueAndOverduePolls() throws {
        let plc = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path)
        let server = try RunningSimulator(plc)
        let time = SimulatedTime()
        let poller = ModbusPoller(profile: try shippedProfile("line-plc.yaml", port: server.port), queueCapacity: 4,
                                  clock: time.clock, sleep: time.sleep)
        try poller.write("speed_setpoint", value: 95.5)
        try poller.write("conveyor_motor", value: 0)
        #expect(throws: ModbusError.invalidRequest("'line_speed' is read-only")) { try poller.write("line_speed", value: 1) }
        let report = poller.tick(now: time.now)
        #expect(report.writes.map(\.point) == ["speed_setpoint", "conveyor_motor"] && report.writes.allSatisfy { $0.error == nil })
        #expect(report.readings.first { $0.point == "speed_setpoint" }?.value == .double(95.5))
        #expect(report.readings.first { $0.point == "conveyor_motor" }?.value == .bool(false))
        // Overload: four writes fill the queue, a fifth is refused, the fast poll finds no room.
        for value in [5000.0, 5100, 5200, 5300] { try poller.write("shift_target", value: value) }
        #expect(throws: ModbusError.self) { try poller.write("reject_gate", value: 1) }
        #expect(poller.statistics.writesRejected == 1)
        time.now += 0.5
        let overloaded = poller.tick(now: time.now)
        #expect(overloaded.writes.count == 4 && !overloaded.readings.contains { $0.point == "line_speed" })
        #expect(server.simulator.value(of: "shift_target") == 5300)
        #expect(poller.statistics.overduePollsDropped == 2)   // the fast and the slow group
        // Ten periods of the fast group (0.5 s) go by without a tick: nine polls are dropped, one runs.
        time.now += 5
        let late = poller.tick(now: time.now)
        #expect(poller.statistics.overduePollsDropped == 11)
        #expect(late.readings.filter { $0.point == "line_speed" }.count == 1)
    }
}

@Suite("Modbus simulator faults, through our client")
struct ModbusFaultTests {
    let plc: ModbusProfile

    init() throws {
        plc = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path)
    }

    /// A reply that comes after the timeout is flushed, never taken for the next request's answer.
    @Test func lateReplyIsNotTheNextAnswer() throws {
        var faults = ModbusSimulator.Faults()
        faults.responseDelay = 0.15
        let server = try RunningSimulator(plc, faults: faults)
        let client = try ModbusClient(.tcp(host: "127.0.0.1", port: server.port), timeout: .milliseconds(100))
        #expect(throws: ModbusError.timeout) { _ = try client.readHoldingRegisters(unit: 1, address: 2, count: 2) }
        server.simulator.faults = ModbusSimulator.Faults()
        usleep(100_000)   // the late reply to the first request arrives meanwhile
        // shift_target (4800) at 30, not the setpoint registers the late reply carried.
        #expect(try client.readHoldingRegisters(unit: 1, address: 30, count: 1) == [4800])
    }

    /// Exception rules, dropped replies and disconnects each come out as the typed error, and the
    /// client carries on after each.
    @Test func injectedFaultsAndRecovery() throws {
        var faults = ModbusSimulator.Faults()
        faults.exceptions = [ModbusSimulator.ExceptionRule(table: .holding, range: 6..<7, code: .serverDeviceFailure)]
        faults.dropEvery = 3
        let server = try RunningSimulator(plc, faults: faults)
        let client = try ModbusClient(.tcp(host: "127.0.0.1", port: server.port), timeout: .milliseconds(100))
        #expect(throws: ModbusError.exception(.serverDeviceFailure)) { _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 8) }
        #expect(try client.readHoldingRegisters(unit: 1, address: 30, count: 1) == [4800])
        #expect(throws: ModbusError.timeout) { _ = try client.readHoldingRegisters(unit: 1, address: 30, count: 1) }   // the 3rd: dropped
        #expect(try client.readHoldingRegisters(unit: 1, address: 30, count: 1) == [4800])

        faults = ModbusSimulator.Faults()
        faults.disconnectAfter = 2
        server.simulator.faults = faults
        let fresh = try ModbusClient(.tcp(host: "127.0.0.1", port: server.port), timeout: .milliseconds(100))
        _ = try fresh.readCoils(unit: 1, address: 0, count: 2)
        _ = try fresh.readCoils(unit: 1, address: 0, count: 2)
        #expect(throws: ModbusError.self) { _ = try fresh.readCoils(unit: 1, address: 0, count: 2) }
        try fresh.reconnect()
        #expect(try fresh.readCoils(unit: 1, address: 0, count: 2) == [true, false])
    }

    /// Over RTU (a socat pty pair) a reply from another unit id is refused, and the next request
    /// gets its own answer. (Over TCP libmodbus 3.1.6 checks the transaction id but not the unit
    /// id of a reply; a gateway that answers for the wrong unit goes unnoticed there.)
    @Test func wrongUnitOverRTU() throws {
        let pair = try SocatPair()
        var faults = ModbusSimulator.Faults()
        faults.wrongUnitEvery = 2
        let server = try RunningSimulator(plc, rtu: pair.a, faults: faults)
        let client = try ModbusClient(.rtu(device: pair.b, settings: SerialSettings(baud: 19_200, parity: .even)), timeout: .milliseconds(200))
        var outcomes: [String] = []
        for _ in 0..<4 {
            do { outcomes.append("\(try client.readHoldingRegisters(unit: 1, address: 30, count: 1))") } catch { outcomes.append("\(error)") }
        }
        #expect(outcomes[0] == "[4800]" && outcomes[2] == "[4800]")
        #expect(outcomes[1].hasPrefix("invalid response") && outcomes[3].hasPrefix("invalid response"), "\(outcomes)")
        withExtendedLifetime(server) {}
    }

    /// Several TCP clients at once, interleaved, each with its own answers.
    @Test func severalClientsAtOnce() throws {
        let server = try RunningSimulator(plc)
        let clients = try (0..<4).map { _ in try ModbusClient(.tcp(host: "127.0.0.1", port: server.port)) }
        for round in 0..<5 {
            for (index, client) in clients.enumerated() {
                let address = [30, 6, 14, 2][index]
                let expected: [UInt16] = [[4800], [1], [0x5045], [0x42F0]][index]
                #expect(try client.readHoldingRegisters(unit: 1, address: address, count: 1) == expected, "round \(round) client \(index)")
            }
        }
        #expect(server.simulator.counters.connections == 4)
    }
}

@Suite("Modbus simulator generators")
struct ModbusGeneratorTests {
    /// A replayed CSV column (header skipped) and a ramp, on the simulator's injected clock.
    @Test func replayAndRamp() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "time,flow\n0,10.5\n1,11.25\n2,12.0\n".write(to: directory.appendingPathComponent("flow.csv"), atomically: true, encoding: .utf8)
        try """
            device: replay
            bus: {tcp: {host: 127.0.0.1}}
            units:
              - id: 1
                points:
                  - {name: flow, table: input, address: 0, type: float32, simulate: {replay: {file: flow.csv, column: 2, interval: 1}}}
                  - {name: level, table: input, address: 2, type: uint16, scale: 0.1, simulate: {ramp: {from: 0, to: 100, period: 10}}}
            """.write(to: directory.appendingPathComponent("replay.yaml"), atomically: true, encoding: .utf8)
        let profile = try ModbusProfileFile.load(directory.appendingPathComponent("replay.yaml").path)
        let now = NIOLockedValueBox(0.0)   // the simulator's clock, moved by the test
        let simulator = ModbusSimulator(profile: profile, clock: { now.withLockedValue { $0 } })
        let port = try simulator.listen(host: "127.0.0.1", port: 0)
        let stop = StopFlag()
        let thread = Thread { simulator.run { stop.isSet } }
        thread.start()
        defer { stop.set(); usleep(100_000) }
        let client = try ModbusClient(.tcp(host: "127.0.0.1", port: port))
        var seen: [String] = []
        for t in [0.5, 1.5, 2.5, 3.5] {
            now.withLockedValue { $0 = t }
            let words = try client.readInputRegisters(unit: 1, address: 0, count: 3)
            seen.append("\(ModbusValue.decode(words[0...], as: .float32)) \(words[2])")
        }
        // Replay: one value a second, looped; ramp: 0-100 over 10 s, raw in tenths.
        #expect(seen == ["10.5 50", "11.25 150", "12.0 250", "10.5 350"])
    }

    /// RTU line timing: a reply waits for the time request and reply take on the wire.
    @Test func lineTimingHoldsReplies() throws {
        let pair = try SocatPair()
        var faults = ModbusSimulator.Faults()
        faults.lineBaud = 1200
        let plc = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path)
        let server = try RunningSimulator(plc, rtu: pair.a, faults: faults)
        let client = try ModbusClient(.rtu(device: pair.b, settings: SerialSettings(baud: 19_200, parity: .even)), timeout: .seconds(1))
        let start = monotonicSeconds()
        #expect(try client.readHoldingRegisters(unit: 1, address: 30, count: 1) == [4800])
        // 8 request bytes + 7 reply bytes, 11 bits each, at 1200 baud: 137.5 ms at least.
        #expect(monotonicSeconds() - start >= 0.1375)
        withExtendedLifetime(server) {}
    }
}
