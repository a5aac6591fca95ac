import Foundation
import Testing
@testable import EdgeIO

@Suite("GPIO on the simulated chip, through the event loop")
struct GPIOTests {
    /// Square waves from 1 Hz to 10 kHz: every edge arrives through the descriptor, and the
    /// frequency is within 0.1 % (here exact: the simulated clock has no jitter).
    @Test(arguments: [1.0, 10, 100, 1_000, 10_000])
    func frequencyOfPulseTrains(_ frequency: Double) throws {
        let chip = SimulatedChip(name: "sim-freq-\(Int(frequency))")
        let input = try chip.input(.offset(3), consumer: "test", bias: .pullDown, activeLow: false, edges: .both)
        let loop = GPIOEventLoop()
        var rate = PulseRate(window: 50, pulsesPerRevolution: 2)
        var edges = 0
        loop.watch(input) { event in
            edges += 1
            if event.edge == .rising { rate.pulse(at: event.timestamp) }
        }
        chip.pulses(3, frequency: frequency, count: 200, start: 1_000_000_000)
        while try loop.runOnce(timeout: 0.1) > 0 {}
        #expect(edges == 400)
        let measured = try #require(rate.frequency)
        #expect((measured - frequency).magnitude <= 0.001 * frequency)
        #expect((rate.shaftRPM! - frequency / 2 * 60).magnitude <= 0.001 * frequency * 30)
        let last = 1_000_000_000 + Int64(199 / frequency * 1e9)
        #expect(rate.quality(now: last + 1_000_000) == .good)
        // The pulses stop: the rate goes bad after the timeout (or three periods).
        #expect(rate.quality(now: last + Int64(max(2, 3 / frequency) * 1e9) + 1_000_000_000) != .good)
    }

    /// A chattering contact (10 flips 50 us apart per press) gives one change per press.
    @Test func debounceOnBounceBursts() throws {
        let chip = SimulatedChip(name: "sim-bounce")
        let door = try chip.input(.offset(5), consumer: "test", bias: .pullDown, activeLow: false, edges: .both)
        let loop = GPIOEventLoop()
        var state = DebouncedState(settle: 5_000_000, initial: false)
        var changes: [DebouncedState.Change] = []
        var raw = 0
        loop.watch(door) { event in
            raw += 1
            if let change = state.edge(event) { changes.append(change) }
        }
        loop.onTick = { now in if let change = state.settle(now: now) { changes.append(change) } }
        var time: Int64 = 1_000_000_000
        for press in 0..<5 {
            chip.bounce(5, to: press % 2 == 0, at: time, flips: 10, spacing: 50_000)
            time += 100_000_000
        }
        try loop.runOnce(timeout: 0.1) { time + 1_000_000_000 }
        #expect(raw > 40)
        #expect(changes.map(\.level) == [true, false, true, false, true])
        #expect(state.lostEdges == 0)
    }

    @Test func lostEdgesAreCountedAndStuckLinesGoQuiet() throws {
        let chip = SimulatedChip(name: "sim-lost")
        let input = try chip.input(.offset(1), consumer: "test", bias: .asIs, activeLow: false, edges: .both)
        let loop = GPIOEventLoop()
        var state = DebouncedState(settle: 0, initial: false)
        loop.watch(input) { _ = state.edge($0) }
        chip.set(1, to: true, at: 10)
        chip.injectEdge(1, .rising, at: 20)   // the falling edge between was lost
        try loop.runOnce(timeout: 0.1)
        #expect(state.lostEdges == 1)
        chip.stick(1, at: false, at: 30)
        var events = 0
        let counter = GPIOEventLoop()
        counter.watch(input) { _ in events += 1 }
        try counter.runOnce(timeout: 0.01)   // the falling edge of sticking
        events = 0
        chip.pulses(1, frequency: 100, count: 10, start: 100)
        #expect(try counter.runOnce(timeout: 0.01) == 0 && events == 0)
    }

    @Test func activeLowOutputsAndErrors() throws {
        let chip = SimulatedChip(name: "sim-errors", names: [7: "relay"])
        let button = try chip.input(.offset(2), consumer: "test", bias: .pullUp, activeLow: true, edges: .none)
        #expect(try button.value() == false)   // pulled up, active low: released
        let relay = try chip.output(.name("relay"), consumer: "test", initial: false)
        #expect(chip.level(7) == false)
        try relay.set(true)
        #expect(chip.level(7) == true)
        #expect(throws: GPIOError.lineBusy(chip: "sim-errors", line: "line 'relay'")) { _ = try chip.output(.name("relay"), consumer: "x", initial: false) }
        chip.holdElsewhere(9)
        #expect(throws: GPIOError.lineBusy(chip: "sim-errors", line: "line 9")) {
            _ = try chip.input(.offset(9), consumer: "x", bias: .asIs, activeLow: false, edges: .both)
        }
        #expect(throws: GPIOError.noSuchLine(chip: "sim-errors", line: "line 'pump'")) {
            _ = try chip.input(.name("pump"), consumer: "x", bias: .asIs, activeLow: false, edges: .none)
        }
        #expect(throws: GPIOError.noSuchChip("sim-nope")) { _ = try SimulatedChip.open("sim-nope") }
        #expect(try SimulatedChip.open("sim-errors") === chip)
    }

    static let hasGPIOChips = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []).contains { $0.hasPrefix("gpiochip") }

    /// The libgpiod backend on a machine without GPIO chips: a clear error, never a crash.
    @Test(.enabled(if: !hasGPIOChips, "this machine has GPIO chips: the no-chip error is not reachable"))
    func libgpiodWithoutAChip() throws {
        do {
            _ = try LibgpiodChip("gpiochip0")
            Issue.record("opened a chip that does not exist")
        } catch {
            #expect(error == .noSuchChip("gpiochip0"))
            #expect(error.description.hasPrefix("no GPIO chip 'gpiochip0'"))
        }
    }
}
