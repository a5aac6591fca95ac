#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// The simulated twin of a GPIO chip, behind the same protocol as the libgpiod backend. Levels
/// and edge trains are scripted with timestamps from the caller's (injected) clock; edges reach
/// the requested inputs through a real file descriptor (a pipe that becomes readable when events
/// wait), so the event loop takes the same path as with the kernel.
public final class SimulatedChip: GPIOChip, @unchecked Sendable {
    public let name: String
    private let lineNames: [String]
    private var levels: [Bool]
    private var stuck: Set<Int> = []
    private var busy: Set<Int> = []
    /// Who requested each line (and whether as an output).
    private var consumers: [Int: (name: String, isOutput: Bool, activeLow: Bool)] = [:]
    /// The requested inputs, held weakly: an input holds its chip (as a kernel line request holds
    /// the chip open) and gives its line back when it goes.
    private var inputs: [Int: RequestedInput] = [:]
    private struct RequestedInput { weak var input: SimulatedInput? }

    /// Simulated chips by name, so that a site file can name one like a real chip.
    private static let registry = NIOLockedValueBox<[String: SimulatedChip]>([:])

    /// Creates (and registers) a chip with `lines` lines; `names` gives some of them names.
    public init(name: String = "gpiochip-sim0", lines: Int = 32, names: [Int: String] = [:]) {
        self.name = name
        lineNames = (0..<lines).map { names[$0] ?? "" }
        levels = Array(repeating: false, count: lines)
        Self.registry.withLockedValue { $0[name] = self }
    }

    /// The registered chip called `name`.
    public static func open(_ name: String) throws(GPIOError) -> SimulatedChip {
        guard let chip = registry.withLockedValue({ $0[name] }) else { throw .noSuchChip(name) }
        return chip
    }

    /// Marks a line as held by another consumer: requests for it fail with ``GPIOError/lineBusy(chip:line:)``.
    public func holdElsewhere(_ offset: Int) {
        busy.insert(offset)
        consumers[offset] = ("another process", false, false)
    }

    public var label: String { "edge-node simulated chip" }

    public func lines() -> [GPIOLineInfo] {
        lineNames.indices.map { offset in
            GPIOLineInfo(offset: offset, name: lineNames[offset].isEmpty ? nil : lineNames[offset], consumer: consumers[offset]?.name,
                         isOutput: consumers[offset]?.isOutput ?? false, activeLow: consumers[offset]?.activeLow ?? false)
        }
    }

    private func offset(_ selector: LineSelector) throws(GPIOError) -> Int {
        switch selector {
        case .offset(let offset) where lineNames.indices.contains(offset): return offset
        case .name(let name): if let index = lineNames.firstIndex(of: name), !name.isEmpty { return index }
        default: break
        }
        throw .noSuchLine(chip: name, line: selector.description)
    }

    public func input(_ selector: LineSelector, consumer: String, bias: Bias, activeLow: Bool,
                      edges: EdgeDetection) throws(GPIOError) -> any GPIOInput {
        let line = try offset(selector)
        guard !busy.contains(line), inputs[line] == nil else { throw .lineBusy(chip: name, line: selector.description) }
        if bias == .pullUp { levels[line] = true } else if bias == .pullDown { levels[line] = false }
        let input = try SimulatedInput(chip: self, line: line, activeLow: activeLow, edges: edges)
        inputs[line] = RequestedInput(input: input)
        consumers[line] = (consumer, false, activeLow)
        return input
    }

    public func output(_ selector: LineSelector, consumer: String, initial: Bool) throws(GPIOError) -> any GPIOOutput {
        let line = try offset(selector)
        guard !busy.contains(line), inputs[line] == nil else { throw .lineBusy(chip: name, line: selector.description) }
        busy.insert(line)
        consumers[line] = (consumer, true, false)
        levels[line] = initial
        return SimulatedOutput(chip: self, line: line)
    }

    func release(_ line: Int) {
        inputs[line] = nil
        consumers[line] = nil
    }

    /// Whether a consumer has the line as an input (edges on other lines reach nobody).
    public func isWatched(_ line: Int) -> Bool { inputs[line]?.input != nil }

    /// The physical level of a line.
    public func level(_ line: Int) -> Bool { levels[line] }

    /// Drives a line to `level` at `timestamp` (ns); an edge reaches its input when it changes.
    public func set(_ line: Int, to level: Bool, at timestamp: Int64) {
        guard !stuck.contains(line), levels[line] != level else { return }
        levels[line] = level
        inputs[line]?.input?.deliver(EdgeEvent(edge: level ? .rising : .falling, timestamp: timestamp))
    }

    /// Delivers an edge without changing the recorded level: what a lost interrupt looks like to
    /// the reader (two rising edges in a row).
    public func injectEdge(_ line: Int, _ edge: EdgeEvent.Edge, at timestamp: Int64) {
        inputs[line]?.input?.deliver(EdgeEvent(edge: edge, timestamp: timestamp))
    }

    /// A square wave of `count` periods at `frequency` Hz from `start` (ns), high for `duty` of each.
    public func pulses(_ line: Int, frequency: Double, count: Int, start: Int64, duty: Double = 0.5) {
        let period = 1e9 / frequency
        for index in 0..<count {
            let rise = start + Int64((Double(index) * period).rounded())
            set(line, to: true, at: rise)
            set(line, to: false, at: rise + Int64((period * duty).rounded()))
        }
    }

    /// A contact that chatters `flips` times, `spacing` ns apart, before settling at `level`.
    public func bounce(_ line: Int, to level: Bool, at start: Int64, flips: Int, spacing: Int64) {
        for flip in 0..<flips { set(line, to: flip % 2 == 0 ? level : !level, at: start + Int64(flip) * spacing) }
        set(line, to: level, at: start + Int64(flips) * spacing)
    }

    /// Freezes a line at `level`: later scripted edges do nothing (a stuck sensor or broken wire).
    public func stick(_ line: Int, at level: Bool, at timestamp: Int64) {
        set(line, to: level, at: timestamp)
        stuck.insert(line)
    }
}

/// An input of the simulated chip: events wait in a queue and a pipe carries one byte per batch,
/// so the descriptor is readable exactly while events wait.
final class SimulatedInput: GPIOInput {
    private let chip: SimulatedChip
    private let line: Int
    private let activeLow: Bool
    private let edges: EdgeDetection
    private var queue: [EdgeEvent] = []
    private var readEnd: Int32 = -1
    private var writeEnd: Int32 = -1

    init(chip: SimulatedChip, line: Int, activeLow: Bool, edges: EdgeDetection) throws(GPIOError) {
        self.chip = chip
        self.line = line
        self.activeLow = activeLow
        self.edges = edges
        if edges != .none {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw .system(SystemError(operation: "pipe", errno: errno)) }
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            readEnd = ends[0]
            writeEnd = ends[1]
        }
    }

    deinit {
        chip.release(line)
        if readEnd >= 0 { close(readEnd); close(writeEnd) }
    }

    var fileDescriptor: Int32 { readEnd }

    func value() throws(GPIOError) -> Bool { chip.level(line) != activeLow }

    func deliver(_ physical: EdgeEvent) {
        // Active-low inverts what the consumer sees, as the kernel does.
        let event = activeLow ? EdgeEvent(edge: physical.edge == .rising ? .falling : .rising, timestamp: physical.timestamp) : physical
        switch (edges, event.edge) {
        case (.both, _), (.rising, .rising), (.falling, .falling): break
        default: return
        }
        if queue.isEmpty {
            var doorbell: UInt8 = 1
            _ = write(writeEnd, &doorbell, 1)
        }
        queue.append(event)
    }

    func readEvents(_ body: (EdgeEvent) -> Void) throws(GPIOError) {
        var drain = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &drain, drain.count) > 0 {}
        let events = queue
        queue.removeAll(keepingCapacity: true)
        for event in events { body(event) }
    }
}

final class SimulatedOutput: GPIOOutput {
    private let chip: SimulatedChip
    private let line: Int
    init(chip: SimulatedChip, line: Int) {
        self.chip = chip
        self.line = line
    }

    func set(_ value: Bool) throws(GPIOError) { chip.set(line, to: value, at: Int64(monotonicSeconds() * 1e9)) }
}
