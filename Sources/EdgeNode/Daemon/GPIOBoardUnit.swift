import EdgeIO

/// Watches one GPIO board: states and pulse rates to the store, changes to the events. A chip
/// that is missing is retried with backoff and reported, never stopping the daemon.
struct GPIOBoardUnit {
    let board: Site.GPIOBoard
    let context: DaemonContext

    func run(_ shouldStop: @escaping @Sendable () -> Bool) {
        var backoff = RestartBackoff(initial: 0.5, maximum: 30)
        while !shouldStop() {
            do throws(EdgeNodeError) {
                try watch(board, context, shouldStop)
            } catch {
                let delay = backoff.failed()
                context.event("device_fault", source: board.name) { w in w.key("reason"); w.string(error.message); w.key("retry_in"); w.fixed(delay, decimals: 1) }
                context.logger.error("\(board.name): \(error.message); retrying in \(delay) s")
                wait(delay, unless: shouldStop)
            }
        }
    }

    private func watch(_ board: Site.GPIOBoard, _ context: DaemonContext, _ shouldStop: () -> Bool) throws(EdgeNodeError) {
        context.store.define(board.lines.map { line in
            PointDefinition(name: "\(board.name).\(line.name)", datatype: line.kind == .state ? .bool : .double,
                            unit: line.kind == .pulses ? "rpm" : nil, device: board.name, reportsQuality: false)
        })
        let opened: (chip: any GPIOChip, scenario: PlantGPIOScenario?)
        do { opened = try PlantGPIOScenario.openChip(board.chip) } catch { throw .runtime(error.description) }
        let (chip, scenario) = opened
        let loop = GPIOEventLoop()
        final class Inbox { var events: [(index: Int, event: EdgeEvent)] = []; var now: Int64 = 0 }
        let inbox = Inbox()
        var states: [DebouncedState] = [], rates: [PulseRate] = []
        for (index, line) in board.lines.enumerated() {
            let input: any GPIOInput
            do {
                input = try chip.input(line.line, consumer: "edge-node", bias: line.bias, activeLow: line.activeLow, edges: .both)
                states.append(DebouncedState(settle: Int64(line.debounceMilliseconds * 1e6), initial: try input.value()))
            } catch { throw .runtime("\(board.name).\(line.name): \(error)") }
            rates.append(PulseRate(pulsesPerRevolution: line.pulsesPerRevolution))
            loop.watch(input) { inbox.events.append((index, $0)) }
            context.store.update("\(board.name).\(line.name)", .bool(states[index].level), quality: .good, at: monotonicSeconds())
        }
        loop.onTick = { inbox.now = $0 }
        var nextRate = monotonicSeconds() + 1
        while !shouldStop() {
            // Sleep until an edge, a pending debounce settling, the twin's next scripted edge, or 50 ms.
            let now = Int64(monotonicSeconds() * 1e9)
            var wake = now + 50_000_000
            if let scenario { wake = min(wake, scenario.advance(to: now)) }
            for state in states { if let settles = state.settlesAt { wake = min(wake, settles) } }
            do { try loop.runOnce(timeout: Double(max(0, wake - now)) / 1e9) } catch { throw .runtime("\(board.name): \(error)") }
            for (index, event) in inbox.events {
                if event.edge == .rising { rates[index].pulse(at: event.timestamp) }
                if board.lines[index].kind == .state, let change = states[index].edge(event) { report(board, index, change, context) }
            }
            inbox.events.removeAll(keepingCapacity: true)
            for index in board.lines.indices where board.lines[index].kind == .state {
                if let change = states[index].settle(now: inbox.now) { report(board, index, change, context) }
            }
            guard monotonicSeconds() >= nextRate else { continue }
            nextRate += 1
            for index in board.lines.indices where board.lines[index].kind == .pulses {
                let good = rates[index].quality(now: inbox.now) == .good
                context.store.update("\(board.name).\(board.lines[index].name)", good ? rates[index].shaftRPM.map(PointValue.double) : nil,
                                     quality: good ? .good : .bad(.noSignal, reason: "no pulses"), at: monotonicSeconds())
            }
        }
    }

    private func report(_ board: Site.GPIOBoard, _ index: Int, _ change: DebouncedState.Change, _ context: DaemonContext) {
        let name = "\(board.name).\(board.lines[index].name)"
        context.store.update(name, .bool(change.level), quality: .good, at: monotonicSeconds())
        context.event("state", source: name) { w in
            w.key("level"); w.integer(change.level ? 1 : 0)
            // From the edge that settled it (kernel or simulated clock) to this record.
            w.key("edge_age_ms"); w.fixed(Double(Int64(monotonicSeconds() * 1e9) - change.timestamp) / 1e6, decimals: 3)
        }
    }
}
