import ArgumentParser
import EdgeNode

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The daemon: run the site's devices, patrols and analytics until stopped.",
        discussion: """
        Loads and checks the site file, then polls its Modbus devices, watches its GPIO boards, \
        reads its BeiDou receiver and runs its patrols, each on its own: one failing device is \
        retried with backoff and reported, never stopping the others. Events (point quality, \
        GPIO states, patrol events and run records, device faults) go to EVENTS/events.jsonl, \
        rotated at the site's size cap and forced to disk every 5 s; while it cannot be written \
        (a full disk), events are held in memory and written later, in order. An unfinished \
        patrol resumes after a restart, a crash or a power cut from its journal in \
        EVENTS/patrols, and each machine keeps its learnt baseline in EVENTS/baselines (delete \
        it after maintenance to learn again). Under systemd \
        (Type=notify) it sends READY=1, STATUS= and WATCHDOG=1; logs carry syslog priorities when stderr goes to the journal. With \
        'status: {listen: 127.0.0.1:9810}' it serves /status (JSON: devices with health, \
        patrols, machines, points, counters) and /metrics (Prometheus). SIGHUP reads the site \
        file again and applies it: what changed restarts, what is new starts, what is gone stops, \
        the rest runs on untouched; a broken file is reported and changes nothing. SIGTERM or \
        SIGINT stops it gracefully: every service finishes, the event log is synced.

        Examples:
          edge-node run --site /etc/edge-node/site.yaml
          edge-node run --site devices/site.yaml --outputs /tmp/edge-node
        """
    )
    @Option(help: "The site file (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var site: String?
    @Option(help: "Write events here instead of the site's outputs directory.") var outputs: String?

    func run() async throws {
        try await reportingErrors { () async throws(EdgeNodeError) in
            try await Daemon.run(sitePath: site ?? SiteFile.defaultPath, outputDirectory: outputs)
        }
    }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every configured device and the host; say how to fix what fails.",
        discussion: """
        For each Modbus device: reachable, and its latency. For each serial port (RTU buses, the \
        GNSS receiver): present, free (or which process holds it), and openable by the service (its \
        DeviceAllow= and groups). The receiver: talking, and its best fix; if none, why \
        (no bytes: power or wiring; bytes but no sentence: the baud rate; no time or position: \
        GGA/RMC off, or the antenna). Vibration channels: their file or FIFO there and readable. \
        GPIO boards: chip and \
        lines there, openable by the service. The host: the unit's groups exist, the clock \
        synchronised, free disk for the outputs, the unit's state and restarts. Each failure \
        comes with a remedy. Exit 0 when nothing failed, 1 otherwise.

        Examples:
          edge-node doctor
          edge-node doctor --site /etc/edge-node/site.yaml --json
        """
    )
    @Option(help: "The site file (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var site: String?
    @Option(help: "Seconds to listen to the GNSS receiver.") var receiverSeconds: Double = 3
    @Flag(help: "JSON: [{\"check\", \"status\", \"detail\", \"remedy\"}].") var json = false

    func run() throws {
        try reportingErrors { () throws(EdgeNodeError) in
            let findings = EdgeNode.Doctor.examine(try SiteFile.load(site ?? SiteFile.defaultPath), receiverSeconds: receiverSeconds)
            var output = OutputSink()
            output.write(EdgeNode.Doctor.render(findings, json: json))
            output.flush()
            if findings.contains(where: { $0.status == .fail }) { throw .runtime("\(findings.filter { $0.status == .fail }.count) checks failed") }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the running daemon reports: devices, patrols, machines, counters.",
        discussion: """
        Asks the daemon's status endpoint (the site's 'status: {listen: ...}', or --url) and \
        prints each device's health, each patrol's progress, each machine's alarm level, \
        baseline, velocity and ISO zone, and the counters. --json prints the report as the \
        daemon sends it. Exit 1 when no daemon answers.

        Examples:
          edge-node status
          edge-node status --url 127.0.0.1:9810 --json
        """
    )
    @Option(help: "The site file whose status listener to ask (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var site: String?
    @Option(help: "HOST:PORT of the status endpoint, instead of the site's.") var url: String?
    @Flag(help: "The report as JSON.") var json = false

    func run() throws {
        try reportingErrors { () throws(EdgeNodeError) in
            let address: (host: String, port: Int)
            if let url {
                let parts = url.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]) else { throw .input("--url is HOST:PORT, e.g. 127.0.0.1:9810") }
                address = (String(parts[0]), port)
            } else {
                let loaded = try SiteFile.load(site ?? SiteFile.defaultPath)
                guard let listen = loaded.statusListen else {
                    throw .input("\(loaded.file) has no status listener: add 'status: {listen: 127.0.0.1:9810}'")
                }
                address = listen
            }
            let body = try StatusCommand.get(host: address.host, port: address.port, path: "/status")
            var output = OutputSink()
            output.write(json ? body : try StatusCommand.render(body))
            output.flush()
        }
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the site file the daemon runs.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Load the site file and every file it names; report the first problem with file:line:column.",
            discussion: """
            Reads the Modbus device profiles, the receiver profile, the routes (with their \
            findings), and checks that every inspection point, speed input and operating-state \
            input names a Modbus point or GPIO line of the site. Exit 0 when the site is good, 2 \
            with the problem otherwise.

            Examples:
              edge-node config check
              edge-node config check /etc/edge-node/site.yaml --json
            """
        )
        @Argument(help: "The site file (default: /etc/edge-node/site.yaml, else devices/site.yaml).") var file: String?
        @Flag(help: "JSON.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var output = OutputSink()
                output.write(SiteFile.summary(try SiteFile.load(file ?? SiteFile.defaultPath), json: json))
            }
        }
    }
}
