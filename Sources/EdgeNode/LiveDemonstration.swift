import EdgeIO
import FoundationEssentials
import Glibc
import JSONText
import NMEAParser
import PatrolAgent
import PredictiveMaintenance

/// `edge-node demo`: the daemon on the simulated twins of a plant. A line PLC and an energy meter
/// over Modbus TCP on loopback, a BeiDou receiver on a pseudo-terminal driving the night patrol
/// (with an RTK float spell and a short outage), the GPIO board (door contact, pump tachometer),
/// and a pump whose outer race starts to fail during the run. A live view every second; at the
/// end a self-contained HTML report (patrol table and map, events, vibration spectra).
public enum LiveDemonstration {
    public struct Options: Sendable {
        /// The repository's `devices/` (profiles and the route).
        public var devices = "devices"
        /// Where the site file, the events and the report go.
        public var directory: String
        /// Simulated time runs this much faster than real time.
        public var timeScale = 20.0

        public init(directory: String) { self.directory = directory }
    }

    /// Runs the demo; `show` receives the live view and the closing lines. Returns the report's path.
    public static func run(_ options: Options, show: @escaping @Sendable (String) -> Void) async throws(EdgeNodeError) -> String {
        let devices = options.devices.hasPrefix("/") ? options.devices
            : FileManager.default.currentDirectoryPath + "/" + options.devices
        guard FileManager.default.fileExists(atPath: "\(devices)/site.yaml") else {
            throw .input("\(devices) is not the repository's devices/ folder: run the demo from the repository (make demo)")
        }
        try createDirectories(options.directory)
        try? FileManager.default.removeItem(atPath: "\(options.directory)/events.jsonl")
        // The demo's patrol and baseline always start afresh.
        for state in ["patrols", "baselines"] { try? FileManager.default.removeItem(atPath: "\(options.directory)/\(state)") }

        // The twins.
        let plc = ModbusSimulator(profile: try ModbusProfileFile.load("\(devices)/modbus/line-plc.yaml"))
        let meter = ModbusSimulator(profile: try ModbusProfileFile.load("\(devices)/modbus/energy-meter.yaml"))
        let ports: [Int]
        do { ports = [try plc.listen(host: "127.0.0.1", port: 0), try meter.listen(host: "127.0.0.1", port: 0)] } catch {
            throw .runtime("cannot start the Modbus twins: \(error)")
        }
        let stop = StopFlag()
        for simulator in [plc, meter] { ServiceThread(name: "modbus-twin") { simulator.run { stop.isSet } }.start() }
        let terminal: PseudoTerminal
        do { terminal = try PseudoTerminal() } catch { throw .runtime("cannot create a pseudo-terminal: \(error)") }
        var simulation = GNSSCommands.Simulation()
        simulation.routePath = "\(devices)/routes/zhuhai-plant-north.yaml"
        simulation.timeScale = options.timeScale
        simulation.receiver.noise = 0.05
        simulation.receiver.events = [.init(start: 100, end: 125, kind: .mode(.rtkFloat)), .init(start: 200, end: 204, kind: .outage)]
        let receiver = simulation.receiver
        let waypoints = try RouteFile.load(simulation.routePath!).route.checkpoints.map { ($0.latitude, $0.longitude) }
        let nmea = receiver.drive(through: waypoints)

        let site = "\(options.directory)/site.yaml"
        let bearing = SimulatedPump.bearing
        let text = """
            # Written by edge-node demo: the plant's twins on this machine.
            site: demo-zhuhai-plant-north
            modbus:
              - {name: plc-line3, profile: \(devices)/modbus/line-plc.yaml, port: \(ports[0])}
              - {name: meter-t2, profile: \(devices)/modbus/energy-meter.yaml, port: \(ports[1])}
            gpio:
              - name: gpio
                chip: simulated
                lines:
                  - {name: warehouse_door_closed, line: door_closed, kind: state, debounce_ms: 5}
                  - {name: pump_tach, line: pump_tach, kind: pulses}
            gnss: {profile: \(devices)/receivers/quectel-lc29h.yaml, port: \(terminal.path)}
            patrols:
              - {route: \(devices)/routes/zhuhai-plant-north.yaml}
            maintenance:
              - name: pump-p101-de
                source: {simulated: outer_race, develops_after: 60, speedup: \(format(options.timeScale, 0))}
                sample_rate: 25600
                bearing: {n: \(bearing.rollingElements), d: \(bearing.elementDiameter), D: \(bearing.pitchDiameter)}
                speed: {gpio: gpio.pump_tach}
            outputs: {directory: \(options.directory)}

            """
        try replaceFile(site, with: text.utf8)

        // The receiver starts once the daemon has the port open; only this thread writes to it.
        let writer = TerminalWriter(terminal), drive = simulation
        ServiceThread(name: "gnss-twin") {
            usleep(300_000)
            try? GNSSCommands.simulate(drive) { bytes throws(EdgeNodeError) in
                guard !stop.isSet else { return }
                do { try writer.terminal.writeWithoutWaiting(bytes) } catch { throw .runtime("\(error)") }
            }
        }.start()

        let events = "\(options.directory)/events.jsonl"
        let started = monotonicSeconds()
        try await Daemon.run(sitePath: site, outputDirectory: options.directory, logLevel: .error) { points, counters in
            let log = readEvents(events)
            let outcomes = log.filter { $0["event"]?.string == "checkpoint" }
            let alarms = log.filter { $0["event"]?.string == "maintenance_alarm" }
            show(liveLine(seconds: monotonicSeconds() - started, outcomes: outcomes, alarms: alarms, points: points, counters: counters))
            // Done when the patrol is and the pump's alarm came (or after two minutes).
            return (outcomes.count == 5 && !alarms.isEmpty) || monotonicSeconds() - started > 120
        }
        stop.set()
        withExtendedLifetime(terminal) {}

        let report = "\(options.directory)/report.html"
        let html = try reportHTML(events: readEvents(events), nmea: nmea, routePath: simulation.routePath!)
        try replaceFile(report, with: html.utf8)
        return report
    }

    /// One line of the live view.
    private static func liveLine(seconds: Double, outcomes: [JSONValue], alarms: [JSONValue], points: [String: PointSample],
                                 counters: [String: Int]) -> String {
        func health(_ device: String) -> String {
            let own = PointStore.tally(points, under: device)
            if own.points == 0 { return "\(device) -" }
            return own.notGood == 0 ? "\(device) ok" : "\(device) \(own.notGood)/\(own.points) bad"
        }
        let patrol = "patrol \(outcomes.count)/5" + (outcomes.last.map { " (\($0["checkpoint"]?.string ?? "") \($0["verdict"]?.string ?? ""))" } ?? "")
        let gnss = points["gnss.quality"]?.goodNumber.map { FixQuality(rawValue: Int($0))?.description ?? "?" } ?? "no fix"
        let velocity = points["pump-p101-de.velocity_rms"]?.goodNumber.map { "\(format($0, 2)) mm/s" } ?? "-"
        let kurtosis = points["pump-p101-de.kurtosis"]?.goodNumber.map { format($0, 1) } ?? "-"
        let machine = "pump \(velocity), kurtosis \(kurtosis)" + (alarms.isEmpty ? "" : ", ALARM")
        return "\(format(seconds, 0).padding(4))s  \(patrol.padding(34)) gnss \(gnss.padding(10)) "
            + [health("plc-line3"), health("meter-t2"), health("gpio")].joined(separator: ", ") + "  \(machine)  events \(counters["events"] ?? 0)"
    }

    private static func readEvents(_ path: String) -> [JSONValue] {
        guard let bytes = try? ByteSource(path: path).readAll() else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { JSONValue.parse($0) }
    }

    /// The self-contained report: the patrol's checkpoints with their readings, its map, the
    /// maintenance events, the pump's spectra.
    private static func reportHTML(events: [JSONValue], nmea: String, routePath: String) throws(EdgeNodeError) -> String {
        func escape(_ text: String) -> String {
            text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
        }
        var html = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>edge-node demo report</title>
            <style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
            .missed,.bad{color:#c62828}.visited,.good{color:#2e7d32}</style></head><body>
            <h1>edge-node demo: night patrol of the north plant</h1>
            <h2>Patrol</h2><table><tr><th>checkpoint</th><th>verdict</th><th>rule</th><th>fix</th><th>readings</th></tr>

            """
        for outcome in events where outcome["event"]?.string == "checkpoint" {
            let readings = (outcome["readings"]?.array ?? []).map { reading -> String in
                let value = reading["value"]?.double.map { format($0, 2) } ?? "-"
                return "\(escape(reading["point"]?.string ?? "")) = \(value) (\(escape(reading["quality"]?.string ?? "")))"
            }.joined(separator: "<br>")
            let verdict = outcome["verdict"]?.string ?? ""
            html += "<tr><td>\(escape(outcome["checkpoint"]?.string ?? ""))</td><td class=\"\(verdict)\">\(verdict)</td>"
            html += "<td>\(escape(outcome["rule"]?.string ?? ""))</td><td>\(escape(outcome["quality"]?.string ?? ""))</td><td>\(readings)</td></tr>\n"
        }
        html += "</table>\n"
        // The map: the same NMEA through the patrol agent (geometry only).
        let route = try RouteFile.load(routePath)
        let bytes = Array(nmea.utf8)
        let replay = try PatrolCommands.replay(route, routePath: routePath, reader: NoReadings()) { body throws(EdgeNodeError) in
            var failure: EdgeNodeError?
            bytes.withUnsafeBytes { buffer in
                do throws(EdgeNodeError) { try body(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        html += "<h2>Map</h2>\n" + PatrolCommands.map(replay) + "\n"
        html += "<h2>Events</h2><table><tr><th>time (UTC)</th><th>event</th><th>source</th><th>detail</th></tr>\n"
        let shown: Set<String> = ["daemon_ready", "baseline_learnt", "maintenance_alarm", "maintenance_cleared", "device_fault", "device_up", "daemon_stopped"]
        for event in events where shown.contains(event["event"]?.string ?? "") {
            let detail = (event.object ?? [:]).filter { !["event", "source", "utc"].contains($0.key) }.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            html += "<tr><td>\(escape(event["utc"]?.string ?? ""))</td><td>\(escape(event["event"]?.string ?? ""))</td>"
            html += "<td>\(escape(event["source"]?.string ?? ""))</td><td>\(escape(detail))</td></tr>\n"
        }
        html += "</table>\n<h2>Pump P-101, drive-end bearing: the developed fault</h2>\n"
        var options = RecordingAnalysis.Settings(sampleRate: 25_600)
        options.shaftHz = SimulatedPump.shaftHz
        options.bearing = SimulatedPump.bearing
        let pump = SyntheticVibration(sampleRate: 25_600, shaftHz: SimulatedPump.shaftHz, bearing: SimulatedPump.bearing,
                                      fault: .outerRace)
        let analysis = try VibrationCommands.analyze(samples: pump.samples(count: 65_536), named: "pump P-101", settings: options)
        html += "<pre>\(escape(VibrationCommands.render(analysis, json: false)))</pre>\n" + VibrationCommands.svg(analysis) + "\n</body></html>\n"
        return html
    }
}

/// Hands the pseudo-terminal to the receiver's thread, its only writer.
private final class TerminalWriter: @unchecked Sendable {
    let terminal: PseudoTerminal
    init(_ terminal: PseudoTerminal) { self.terminal = terminal }
}

