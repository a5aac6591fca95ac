import ArgumentParser
import EdgeNode

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole mission on simulated devices: the daemon on a plant's twins, live, then a report.",
        discussion: """
        Starts the twins of a plant on this machine: a line PLC and an energy meter over Modbus TCP \
        on loopback, a BeiDou receiver on a pseudo-terminal driving the night patrol (RTK float \
        for a while, a short outage), the GPIO board (door contact, pump tachometer) and a pump \
        whose outer race starts to fail. Runs the daemon on them with a live line a second \
        (patrol, fix, device health, the pump's vibration), stops when the patrol is done and the \
        pump's alarm has come, and writes a self-contained HTML report (patrol table and map, \
        events, spectra) whose path it prints. About 20 s.

        --tour instead runs the quick offline tour: a real BeiDou capture decoded, the pump \
        diagnosed, the patrol replayed (no daemon, one second).

        Examples:
          edge-node demo
          edge-node demo --directory /tmp/demo --time-scale 10
          edge-node demo --tour --json
        """
    )
    @Option(help: "Where the site file, the events and the report go.") var directory = "/tmp/edge-node-demo"
    @Option(help: "Simulated time runs this much faster than real time.") var timeScale: Double = 20
    @Flag(help: "The quick offline tour instead (no daemon).") var tour = false
    @Flag(help: "With --tour: gpsd-style JSON lines instead of tables.") var json = false

    func run() async throws {
        if tour {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                try Demonstration.run(json: json, output: &output)
            }
            return
        }
        guard timeScale >= 1 else { throw ValidationError("--time-scale is at least 1") }
        var options = LiveDemonstration.Options(directory: directory)
        options.timeScale = timeScale
        try await reportingErrors { () async throws(EdgeNodeError) in
            var output = OutputSink()
            output.write("edge-node demo: the daemon on the twins of the north plant (\(Int(timeScale))x real time)\n")
            output.flush()
            let report = try await LiveDemonstration.run(options) { line in
                var live = OutputSink()
                live.write(line + "\n")
                live.flush()
            }
            output.write("events: \(directory)/events.jsonl\nreport: \(report)\n")
            output.flush()
        }
    }
}
