import EdgeIO
import Foundation
import Testing
@testable import EdgeNode

@Suite("GPIO and serial commands")
struct GPIOCommandTests {
    /// The simulated plant board on an injected clock, through the real event loop: the door's
    /// bounces settle to one change per toggle, the tank float follows its schedule, the flow
    /// meter and the tachometer read their frequencies within 0.1 %, and the tachometer's
    /// quality goes bad while the pump stands still.
    @Test func plantBoardOnAnInjectedClock() throws {
        let origin: Int64 = 1_000_000_000_000
        let scenario = PlantGPIOScenario(origin: origin)
        let loop = GPIOEventLoop()
        var door = DebouncedState(settle: 5_000_000, initial: true), tank = DebouncedState(settle: 5_000_000, initial: false)
        var doorChanges: [DebouncedState.Change] = [], tankChanges: [DebouncedState.Change] = []
        var flow = PulseRate(), tach = PulseRate()
        let inputs = try [0, 1, 2, 3].map { try scenario.chip.input(.offset($0), consumer: "test", bias: .asIs, activeLow: false, edges: .both) }
        loop.watch(inputs[0]) { if let change = door.edge($0) { doorChanges.append(change) } }
        loop.watch(inputs[1]) { if let change = tank.edge($0) { tankChanges.append(change) } }
        loop.watch(inputs[2]) { if $0.edge == .rising { flow.pulse(at: $0.timestamp) } }
        loop.watch(inputs[3]) { if $0.edge == .rising { tach.pulse(at: $0.timestamp) } }
        var tachQuality: [Int: PulseRate.Quality] = [:]
        for step in 1...(35 * 100) {   // 35 s in 10 ms steps
            let now = origin + Int64(step) * 10_000_000
            scenario.advance(to: now)
            try loop.runOnce(timeout: 0, now: { now })
            if let change = door.settle(now: now) { doorChanges.append(change) }
            if let change = tank.settle(now: now) { tankChanges.append(change) }
            if step % 100 == 0 {
                tachQuality[step / 100] = tach.quality(now: now)
                let flowHz = try #require(flow.frequency)
                #expect(abs(flowHz - PlantGPIOScenario.flowHz) / PlantGPIOScenario.flowHz < 0.001, "t=\(step / 100) s")
            }
        }
        #expect(doorChanges.map(\.level) == [false, true, false, true])
        #expect(doorChanges.map { ($0.timestamp - origin) / 1_000_000 } == [8004, 16004, 24004, 32004])
        #expect(door.lostEdges == 0)
        #expect(tankChanges.map(\.level) == [true, false] && tankChanges.map { ($0.timestamp - origin) / 1_000_000_000 } == [10, 20])
        #expect(abs(try #require(tach.shaftRPM) - 1470) / 1470 < 0.001)
        #expect(tachQuality[19] == .good && tachQuality[30] == .good)
        for second in 23...25 { #expect(tachQuality[second] != .good, "t=\(second) s") }
    }

    /// `gpio watch --chip simulated` in real time: the same rates from the command, as JSON Lines.
    @Test func watchTheSimulatedBoard() throws {
        let result = try runEdgeNode(["gpio", "watch", "--chip", "simulated", "--seconds", "2.2", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let events = result.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.contains { $0["event"] as? String == "state" && $0["line"] as? String == "door_closed" && $0["level"] as? Int == 1 })
        let rates = events.filter { $0["event"] as? String == "rate" }
        for (line, hertz) in [("flow_meter", PlantGPIOScenario.flowHz), ("pump_tach", PlantGPIOScenario.tachHz)] {
            let rows = rates.filter { $0["line"] as? String == line }
            #expect(rows.count == 2, "\(line)")
            for row in rows {
                #expect(abs((row["hz"] as? Double ?? 0) - hertz) / hertz < 0.001 && row["quality"] as? String == "good", "\(row)")
            }
        }
    }

    @Test func listGetAndSet() throws {
        let list = try runEdgeNode(["gpio", "list", "--chip", "simulated", "--json"])
        let chips = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as! [[String: Any]]
        let lines = chips[0]["lines"] as! [[String: Any]]
        #expect(lines.count == 16 && lines[3]["name"] as? String == "pump_tach" && lines[3]["direction"] as? String == "input")
        let get = try runEdgeNode(["gpio", "get", "--chip", "simulated", "door_closed", "1", "--json"])
        #expect(try JSONSerialization.jsonObject(with: Data(get.out.utf8)) as? [String: Int] == ["door_closed": 1, "1": 0])
        let refused = try runEdgeNode(["gpio", "set", "--chip", "simulated", "beacon=1"])
        #expect(refused.status == 2 && refused.err.contains("add --yes to confirm"))
        let set = try runEdgeNode(["gpio", "set", "--chip", "simulated", "beacon=1", "--yes"])
        #expect(set.status == 0 && set.out == "beacon=1\n")
        let unknown = try runEdgeNode(["gpio", "get", "--chip", "simulated", "nope"])
        #expect(unknown.status == 1 && unknown.err == "edge-node: simulated has no line 'nope'\n")
    }

    /// Without /dev/gpiochip* (as on this test machine) the libgpiod backend says so, no crash.
    @Test func noChipIsAClearError() throws {
        let result = try runEdgeNode(["gpio", "list"])
        if LibgpiodChip.available().isEmpty {
            #expect(result.status == 1 && result.err.contains("no GPIO chip on this machine"))
            let get = try runEdgeNode(["gpio", "get", "--chip", "gpiochip0", "1"])
            #expect(get.status == 1 && get.err.contains("no GPIO chip 'gpiochip0'"))
        } else {
            print("this machine has GPIO chips: checking that they list")
            #expect(result.status == 0 && result.out.contains("gpiochip"))
        }
    }

    /// `serial list PATH` names the process holding a pseudo-terminal.
    @Test func serialListNamesTheHolder() throws {
        let terminal = try PseudoTerminal()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import sys, time; f = open(sys.argv[1], 'rb'); print('held', flush=True); time.sleep(30)", terminal.path]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer {
            kill(holder.processIdentifier, SIGKILL)   // SIGTERM is blocked in the test runner's children
            holder.waitUntilExit()
        }
        _ = output.fileHandleForReading.availableData // "held"
        let result = try runEdgeNode(["serial", "list", terminal.path, "--json"])
        #expect(result.status == 0, "\(result.err)")
        let ports = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [[String: Any]]
        #expect(ports.first?["path"] as? String == terminal.path)
        #expect((ports.first?["holder"] as? String)?.hasSuffix("(pid \(holder.processIdentifier))") == true)
        let notATerminal = try runEdgeNode(["serial", "list", "/etc/hostname"])
        #expect(notATerminal.status == 2 && notATerminal.err.contains("/etc/hostname is not a serial port"))
    }
}
