import JSONText
import EdgeIO
import Glibc
import NMEAParser

/// What `edge-node gpio list|get|set|watch` and `edge-node simulate gpio` do, callable from tests.
public enum GPIOCommands {
    /// A chip by name, number, label or path; `simulated` is the simulated plant board.
    static func open(_ descriptor: String) throws(EdgeNodeError) -> (chip: any GPIOChip, scenario: PlantGPIOScenario?) {
        do { return try PlantGPIOScenario.openChip(descriptor) } catch { throw .runtime(error.description) }
    }

    /// A line by offset ("17") or by name ("door_closed").
    static func selector(_ text: String) -> LineSelector {
        Int(text).map { .offset($0) } ?? .name(text)
    }

    /// Every chip (or the one named) with each line's name, consumer and direction.
    public static func list(chip descriptor: String?, json: Bool, output: inout OutputSink) throws(EdgeNodeError) {
        let descriptors = descriptor.map { [$0] } ?? LibgpiodChip.available()
        guard !descriptors.isEmpty else {
            throw .runtime("no GPIO chip on this machine (/dev/gpiochip* absent); try the simulated board: edge-node gpio list --chip simulated")
        }
        var writer = JSONWriter()
        if json { writer.raw("[") }
        for (index, name) in descriptors.enumerated() {
            let chip = try open(name).chip
            let lines = chip.lines()
            if json {
                if index > 0 { writer.raw(",") }
                writer.raw("{\"chip\":"); writer.string(chip.name); writer.key("label"); writer.string(chip.label)
                writer.key("lines"); writer.raw("[")
                for (lineIndex, line) in lines.enumerated() {
                    if lineIndex > 0 { writer.raw(",") }
                    writer.raw("{\"offset\":"); writer.integer(line.offset)
                    writer.key("name"); if let name = line.name { writer.string(name) } else { writer.raw("null") }
                    writer.key("consumer"); if let consumer = line.consumer { writer.string(consumer) } else { writer.raw("null") }
                    writer.key("direction"); writer.string(line.isOutput ? "output" : "input")
                    writer.key("active_low"); writer.raw(line.activeLow ? "true" : "false"); writer.raw("}")
                }
                writer.raw("]}")
            } else {
                output.write("\(chip.name) [\(chip.label)] \(lines.count) lines\n")
                for line in lines {
                    var row = "  line \(String(line.offset).padding(4))" + (line.name.map { "\"\($0)\"" } ?? "unnamed").padding(20)
                    row += (line.isOutput ? "output" : "input").padding(8) + (line.activeLow ? "active-low " : "")
                    output.write(row + (line.consumer.map { "used by \"\($0)\"" } ?? "unused") + "\n")
                }
            }
        }
        if json {
            writer.raw("]\n")
            writer.withBytes { output.write($0) }
        }
    }

    /// Reads lines once as inputs: `name=level` per line (JSON: an object).
    public static func get(chip descriptor: String, lines: [String], activeLow: Bool, bias: Bias, json: Bool,
                           output: inout OutputSink) throws(EdgeNodeError) {
        guard !lines.isEmpty else { throw .input("name at least one line (an offset or a name)") }
        let chip = try open(descriptor).chip
        var values: [(String, Bool)] = []
        for line in lines {
            do {
                let input = try chip.input(selector(line), consumer: "edge-node gpio get", bias: bias, activeLow: activeLow, edges: .none)
                values.append((line, try input.value()))
            } catch { throw .runtime(error.description) }
        }
        if json {
            var writer = JSONWriter()
            writer.raw("{")
            for (index, (line, value)) in values.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.string(line); writer.raw(":"); writer.integer(value ? 1 : 0)
            }
            writer.raw("}\n")
            writer.withBytes { output.write($0) }
        } else {
            output.write(values.map { "\($0.0)=\($0.1 ? 1 : 0)" }.joined(separator: " ") + "\n")
        }
    }

    /// Drives outputs (`LINE=0|1`), holding them for `hold` seconds before releasing; refuses
    /// without `confirmed` (an output can start a motor).
    public static func set(chip descriptor: String, assignments: [String], hold: Double, confirmed: Bool,
                           output: inout OutputSink) throws(EdgeNodeError) {
        var parsed: [(String, Bool)] = []
        for assignment in assignments {
            let parts = assignment.split(separator: "=").map(String.init)
            guard parts.count == 2, parts[1] == "0" || parts[1] == "1" else { throw .input("'\(assignment)': expected LINE=0 or LINE=1") }
            parsed.append((parts[0], parts[1] == "1"))
        }
        guard !parsed.isEmpty else { throw .input("name at least one LINE=0|1") }
        guard confirmed else {
            throw .input("not driving \(assignments.joined(separator: " ")): outputs switch real equipment; add --yes to confirm")
        }
        let chip = try open(descriptor).chip
        var held: [any GPIOOutput] = []
        for (line, value) in parsed {
            do { held.append(try chip.output(selector(line), consumer: "edge-node gpio set", initial: value)) } catch { throw .runtime(error.description) }
            output.write("\(line)=\(value ? 1 : 0)\n")
        }
        output.flush()
        if hold > 0 { usleep(useconds_t(hold * 1e6)) }
        withExtendedLifetime(held) {}
    }

    /// What `watch` reports about each line.
    public struct WatchOptions {
        public var lines: [String] = []
        public var edges = EdgeDetection.both
        public var activeLow = false
        public var bias = Bias.asIs
        /// Settle time for the debounced state, milliseconds.
        public var debounceMilliseconds = 5.0
        public var pulsesPerRevolution = 1.0
        /// Every edge with its kernel timestamp, not only the settled changes and the rates.
        public var raw = false
        public var seconds: Double?
        public var json = false

        public init() {}
    }

    /// Watches lines through one event loop: settled state changes (bounces and lost edges
    /// counted), and once a second each pulsing line's frequency, shaft speed and quality.
    public static func watch(chip descriptor: String, _ options: WatchOptions, output: inout OutputSink) throws(EdgeNodeError) {
        let (chip, scenario) = try open(descriptor)
        let names = options.lines.isEmpty && scenario != nil ? PlantGPIOScenario.lineNames.filter { $0.key != 8 }.sorted { $0.key < $1.key }.map(\.value)
                                                             : options.lines
        guard !names.isEmpty else { throw .input("name at least one line (an offset or a name)") }
        struct Watched {
            var name: String
            var input: any GPIOInput
            var state: DebouncedState
            var rate: PulseRate
            var edgesThisSecond = 0
            /// Seen more than ten edges in a second: a pulse train, not a contact.
            var pulsing = false
            var lastChange: Int64 = .min / 2
        }
        let loop = GPIOEventLoop()
        var watched: [Watched] = []
        let settle = Int64(options.debounceMilliseconds * 1e6)
        for name in names {
            do {
                let input = try chip.input(selector(name), consumer: "edge-node gpio watch", bias: options.bias,
                                           activeLow: options.activeLow, edges: options.edges)
                watched.append(Watched(name: name, input: input, state: DebouncedState(settle: settle, initial: try input.value()),
                                       rate: PulseRate(pulsesPerRevolution: options.pulsesPerRevolution)))
            } catch { throw .runtime(error.description) }
        }
        let start = scenario?.origin ?? Int64(monotonicSeconds() * 1e9)
        func seconds(_ timestamp: Int64) -> String { format(Double(timestamp - start) / 1e9, 6) }
        func emit(_ text: String, json: (inout JSONWriter) -> Void) {
            if options.json {
                var writer = JSONWriter(capacity: 256)
                json(&writer)
                writer.raw("}\n")
                writer.withBytes { output.write($0) }
            } else {
                output.write(text)
            }
            output.flush()
        }
        if !options.json {
            output.write("watching \(names.joined(separator: ", ")) on \(chip.name); debounce \(format(options.debounceMilliseconds, 1)) ms\n")
        }
        for item in watched {
            emit("\(seconds(start).padding(12))\(item.name.padding(18))\(item.state.level ? 1 : 0)  (initial)\n") { w in
                w.raw("{\"event\":\"state\",\"line\":"); w.string(item.name); w.key("level"); w.integer(item.state.level ? 1 : 0)
                w.key("t"); w.fixed(0, decimals: 6)
            }
        }
        // A change less than 200 ms after the line's previous one is part of a pulse train, which
        // gets a rate row each second instead.
        func report(_ index: Int, _ change: DebouncedState.Change) {
            defer { watched[index].lastChange = change.timestamp }
            guard change.timestamp - watched[index].lastChange >= 200_000_000 else { return }
            let item = watched[index]
            emit("\(seconds(change.timestamp).padding(12))\(item.name.padding(18))\(change.level ? 1 : 0)\n") { w in
                w.raw("{\"event\":\"state\",\"line\":"); w.string(item.name); w.key("level"); w.integer(change.level ? 1 : 0)
                w.key("t"); w.fixed(Double(change.timestamp - start) / 1e9, decimals: 6)
                w.key("lost_edges"); w.integer(item.state.lostEdges)
            }
        }
        // The loop's handlers only queue; the edges are handled here, between polls.
        final class Inbox { var events: [(index: Int, event: EdgeEvent)] = []; var now: Int64 = 0 }
        let inbox = Inbox()
        for index in watched.indices { loop.watch(watched[index].input) { inbox.events.append((index, $0)) } }
        loop.onTick = { inbox.now = $0 }
        var nextSummary = start + 1_000_000_000
        let end = options.seconds.map { start + Int64($0 * 1e9) }
        while end.map({ Int64(monotonicSeconds() * 1e9) < $0 }) ?? true {
            scenario?.advance(to: Int64(monotonicSeconds() * 1e9))
            do { try loop.runOnce(timeout: 0.01) } catch { throw .runtime(error.description) }
            for (index, event) in inbox.events {
                watched[index].edgesThisSecond += 1
                if event.edge == .rising { watched[index].rate.pulse(at: event.timestamp) }
                if options.raw {
                    let name = watched[index].name
                    emit("\(seconds(event.timestamp).padding(12))\(name.padding(18))\(event.edge == .rising ? "rising" : "falling")\n") { w in
                        w.raw("{\"event\":\"edge\",\"line\":"); w.string(name); w.key("edge"); w.string(event.edge == .rising ? "rising" : "falling")
                        w.key("t"); w.fixed(Double(event.timestamp - start) / 1e9, decimals: 9)
                    }
                }
                if let change = watched[index].state.edge(event) { report(index, change) }
            }
            inbox.events.removeAll(keepingCapacity: true)
            for index in watched.indices { if let change = watched[index].state.settle(now: inbox.now) { report(index, change) } }
            let now = inbox.now
            guard now >= nextSummary else { continue }
            nextSummary += 1_000_000_000
            // Lines that pulse, or pulsed and stopped (not a contact's bounce burst).
            for index in watched.indices {
                if watched[index].edgesThisSecond > 10 { watched[index].pulsing = true }
            }
            for index in watched.indices where watched[index].pulsing {
                let item = watched[index]
                let quality = item.rate.quality(now: now)
                // A stopped shaft has no speed: the last one measured would mislead.
                let hertz = quality == .good ? item.rate.frequency : nil
                var text = "\(seconds(now).padding(12))\(item.name.padding(18))"
                text += hertz.map { "\(format($0, 3)) Hz  \(format($0 / options.pulsesPerRevolution * 60, 1)) rpm" } ?? "-"
                if case .bad(let reason) = quality { text += "  BAD: \(reason)" }
                emit(text + "  (\(item.rate.count) pulses, lost edges \(item.state.lostEdges))\n") { w in
                    w.raw("{\"event\":\"rate\",\"line\":"); w.string(item.name)
                    w.key("hz"); if let hertz { w.fixed(hertz, decimals: 4) } else { w.raw("null") }
                    w.key("rpm"); if let hertz { w.fixed(hertz / options.pulsesPerRevolution * 60, decimals: 2) } else { w.raw("null") }
                    w.key("quality")
                    if case .bad(let reason) = quality { w.string("bad: \(reason)") } else { w.string("good") }
                    w.key("pulses"); w.integer(item.rate.count); w.key("lost_edges"); w.integer(item.state.lostEdges)
                    w.key("t"); w.fixed(Double(now - start) / 1e9, decimals: 3)
                }
            }
            for index in watched.indices { watched[index].edgesThisSecond = 0 }
        }
    }
}

/// What `edge-node serial list` does.
public enum SerialCommands {
    /// The hardware serial ports (or the given paths) with driver, USB identity, stable names and holder.
    public static func list(paths: [String], json: Bool, output: inout OutputSink) throws(EdgeNodeError) {
        var ports: [SerialPortInfo] = []
        for path in paths {
            guard let port = SerialPortInfo(path: path) else { throw .input("\(path) is not a serial port or terminal device") }
            ports.append(port)
        }
        if paths.isEmpty { ports = SerialPortInfo.available() }
        if json {
            var writer = JSONWriter()
            writer.raw("[")
            for (index, port) in ports.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.raw("{\"path\":"); writer.string(port.path)
                for (key, value) in [("driver", port.driver), ("usb", port.usb), ("holder", port.holder)] {
                    writer.raw(","); writer.string(key); writer.raw(":")
                    if let value { writer.string(value) } else { writer.raw("null") }
                }
                writer.key("by_id"); writer.raw("[")
                for (linkIndex, link) in port.byID.enumerated() {
                    if linkIndex > 0 { writer.raw(",") }
                    writer.string(link)
                }
                writer.raw("]}")
            }
            writer.raw("]\n")
            writer.withBytes { output.write($0) }
            return
        }
        if ports.isEmpty { output.write("no serial ports (USB adapters show up as /dev/ttyUSB* or /dev/ttyACM*)\n") }
        for port in ports {
            var row = port.path.padding(16) + (port.driver ?? "-").padding(14) + (port.usb ?? "").padding(port.usb == nil ? 0 : 36)
            row += port.holder.map { "in use by \($0)" } ?? "free"
            output.write(row + "\n")
            for link in port.byID { output.write("  \(link)\n") }
        }
    }
}
