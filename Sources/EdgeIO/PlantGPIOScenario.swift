/// The simulated plant's GPIO board (`--chip simulated`, and `edge-node simulate gpio`): a door
/// contact that bounces, a tank level float, a flow meter, a pump tachometer that stops now and
/// then, a stuck smoke detector and a beacon output, scripted in real time on a ``SimulatedChip``.
public final class PlantGPIOScenario {
    public static let chipName = "simulated"
    public static let lineNames = [0: "door_closed", 1: "tank_level_high", 2: "flow_meter", 3: "pump_tach", 4: "smoke_alarm", 8: "beacon"]
    /// Flow meter pulses per second; the pump tachometer's (one pulse a revolution: 1470 rpm).
    public static let flowHz = 45.0, tachHz = 24.5

    public let chip: SimulatedChip
    /// When the script started, ns on the monotonic clock.
    public let origin: Int64
    private var scripted: Int64

    /// The chip, its script starting at `origin` ns on the monotonic clock.
    public init(origin: Int64) {
        chip = SimulatedChip(name: Self.chipName, lines: 16, names: Self.lineNames)
        self.origin = origin
        scripted = origin
        chip.set(0, to: true, at: origin)
    }

    /// Plays the script up to `now` (ns): every edge due in between reaches the chip's inputs.
    /// Returns when the script next needs playing (ns), so that a loop can sleep until then.
    @discardableResult
    public func advance(to now: Int64) -> Int64 {
        guard now > scripted else { return nextDue(after: scripted) }
        let from = scripted - origin, to = now - origin
        scripted = now
        // The door opens or closes every 8 s, with six bounces 0.8 ms apart.
        for toggle in stride(from: (from + 7_999_999_999) / 8_000_000_000 * 8_000_000_000, to: to, by: 8_000_000_000) where toggle > 0 {
            chip.bounce(0, to: (toggle / 8_000_000_000) % 2 == 0, at: origin + toggle, flips: 6, spacing: 800_000)
        }
        // The tank level is high from 10 s to 20 s of every 30 s.
        for second in Int(from / 1_000_000_000)...Int(to / 1_000_000_000) {
            let at = Int64(second) * 1_000_000_000
            guard at >= from && at < to else { continue }
            if second % 30 == 10 { chip.set(1, to: true, at: origin + at) }
            if second % 30 == 20 { chip.set(1, to: false, at: origin + at) }
        }
        square(line: 2, hertz: Self.flowHz, from: from, to: to) { _ in true }
        // The pump stops from 20 s to 26 s of every 40 s.
        square(line: 3, hertz: Self.tachHz, from: from, to: to) { !(20..<26).contains(Double($0 % 40_000_000_000) / 1e9) }
        return nextDue(after: now)
    }

    /// The first scripted edge after `now` that someone watches: the next flow-meter or
    /// tachometer half period, or the next whole second (the door and the tank level change on
    /// those).
    private func nextDue(after now: Int64) -> Int64 {
        let elapsed = Double(now - origin)
        let halfPeriods = [(line: 2, hertz: Self.flowHz), (line: 3, hertz: Self.tachHz)].filter { chip.isWatched($0.line) }.map { 5e8 / $0.hertz }
        let nextEdges = halfPeriods.map { half in origin + Int64(((elapsed / half).rounded(.down) + 1) * half) }
        let nextSecond = origin + ((now - origin) / 1_000_000_000 + 1) * 1_000_000_000
        return min(nextSecond, nextEdges.min() ?? nextSecond)
    }

    /// The edges of a square wave (50 % duty) in [from, to) ns, where `running` says so.
    private func square(line: Int, hertz: Double, from: Int64, to: Int64, running: (Int64) -> Bool) {
        let half = 5e8 / hertz
        var index = Int64((Double(from) / half).rounded(.up))
        while true {
            let at = Int64((Double(index) * half).rounded())
            guard at < to else { break }
            if at >= from && running(at) { chip.set(line, to: index % 2 == 0, at: origin + at) }
            index += 1
        }
    }

    /// A chip by name, number, label or path through libgpiod, or, for `simulated`, this board
    /// with its script starting now.
    public static func openChip(_ descriptor: String) throws(GPIOError) -> (chip: any GPIOChip, scenario: PlantGPIOScenario?) {
        if descriptor == chipName {
            let scenario = PlantGPIOScenario(origin: Int64(monotonicSeconds() * 1e9))
            return (scenario.chip, scenario)
        }
        return (try LibgpiodChip(descriptor), nil)
    }
}
