import JSONText
import EdgeIO
import FoundationEssentials
import NMEAParser
import PatrolAgent
import PredictiveMaintenance

/// A site: everything the daemon runs, from `devices/site.yaml`. Paths inside are relative to the
/// site file. Loading reads and checks every file it names; cross references (inspection points,
/// speed and operating-state inputs) must resolve.
///
///     site: zhuhai-plant-north
///     modbus:
///       - {name: plc-line3, profile: modbus/line-plc.yaml, host: 10.0.3.20, port: 502}   # host, port (TCP) or device (RTU) override the profile
///     gpio:
///       - name: gpio
///         chip: gpiochip0                       # or: simulated
///         lines:
///           - {name: warehouse_door_closed, line: 17, kind: state, debounce_ms: 20, bias: pull-up, active_low: true}
///           - {name: pump_tach, line: 27, kind: pulses, pulses_per_revolution: 1}
///     gnss: {profile: receivers/quectel-lc29h.yaml, port: /dev/ttyUSB1}
///     patrols:
///       - {route: routes/zhuhai-plant-north.yaml}
///     maintenance:
///       - name: pump-p101-de
///         source: {simulated: outer_race}        # or {file: /run/daq/pump.f32, format: f32le} (a file or FIFO)
///         sample_rate: 25600
///         machine_group: 2
///         support: rigid
///         bearing: {n: 8, d: 7.94, D: 39.04, angle: 0}
///         speed: {gpio: gpio.pump_tach}          # or {nominal_hz: 24.5}
///         operating_state: {modbus: plc-line3.status_running}
///     outputs: {directory: /var/lib/edge-node, rotate_bytes: 10485760, keep: 5}
///     status: {listen: 127.0.0.1:9810}
public struct Site: Sendable {
    public struct ModbusDevice: Sendable, Equatable {
        public var name: String
        public var profilePath: String
        public var profile: ModbusProfile
    }

    public struct GPIOLine: Sendable, Equatable {
        public enum Kind: String, Sendable { case state, pulses }
        public var name: String
        public var line: LineSelector
        public var kind: Kind
        public var debounceMilliseconds: Double
        public var bias: Bias
        public var activeLow: Bool
        public var pulsesPerRevolution: Double
    }

    public struct GPIOBoard: Sendable, Equatable {
        public var name: String
        public var chip: String
        public var lines: [GPIOLine]
    }

    public struct Receiver: Sendable, Equatable {
        public var profilePath: String
        public var profile: ReceiverProfile
        public var port: String
    }

    public struct Patrol: Sendable, Equatable {
        public var routePath: String
        public var route: RouteFile
    }

    /// A point elsewhere on the site: `device.point` of a Modbus device or `board.line` of GPIO.
    public enum Input: Sendable, Equatable {
        case modbus(device: String, point: String)
        case gpio(board: String, line: String)
    }

    public struct MaintenanceChannel: Sendable, Equatable {
        public enum Source: Sendable, Equatable {
            /// The simulated pump: healthy, or a bearing fault that starts `developsAfter`
            /// seconds into the run and grows over a minute; `speedup` runs it faster than real
            /// time (tests, demos).
            case simulated(fault: BearingFault, developsAfter: Double, speedup: Double)
            case file(path: String, format: RecordingAnalysis.Encoding)
        }
        public enum Speed: Sendable, Equatable {
            case nominal(hertz: Double)
            case input(Input)
        }
        public var name: String
        public var source: Source
        public var sampleRate: Double
        public var machineGroup: SeverityCriteria.MachineGroup
        public var support: SeverityCriteria.Support
        public var bearing: BearingGeometry?
        public var speed: Speed
        public var operatingState: Input?
    }

    public var name: String
    public var file: String
    public var modbus: [ModbusDevice]
    public var gpio: [GPIOBoard]
    public var gnss: Receiver?
    public var patrols: [Patrol]
    public var maintenance: [MaintenanceChannel]
    public var outputDirectory: String
    public var rotateBytes: Int
    public var keepFiles: Int
    public var statusListen: (host: String, port: Int)?

    /// Devices of every kind, for counting and reporting.
    public var deviceCount: Int { modbus.count + gpio.count + (gnss == nil ? 0 : 1) }
}

/// Reads and checks site files.
public enum SiteFile {
    /// Loads `path` and every file it names, and checks the cross references.
    /// - Throws: ``EdgeNodeError`` with file:line:column for the first problem.
    public static func load(_ path: String) throws(EdgeNodeError) -> Site {
        try parse(try YAMLValue.load(path), file: path)
    }

    /// Loads a site from text (`file` names it in errors and anchors its relative paths).
    public static func parse(_ text: String, file: String) throws(EdgeNodeError) -> Site {
        try parse(try YAMLValue.parse(text, file: file), file: file)
    }

    private static func parse(_ root: YAMLValue, file: String) throws(EdgeNodeError) -> Site {
        let directory = directoryName(of: file)
        func resolve(_ node: YAMLValue, _ what: String, mustExist: Bool = true) throws(EdgeNodeError) -> String {
            let relative = try node.string(what)
            let path = relative.hasPrefix("/") || directory.isEmpty ? relative : "\(directory)/\(relative)"
            guard !mustExist || FileManager.default.fileExists(atPath: path) else { throw node.error("no such file: \(path)") }
            return path
        }
        let top = try root.mapping("a site", keys: ["site", "modbus", "gpio", "gnss", "patrols", "maintenance", "outputs", "status"],
                                   required: ["site"])
        var names: [String: YAMLValue] = [:]
        func claim(_ name: String, _ node: YAMLValue) throws(EdgeNodeError) {
            if let first = names[name] { throw node.error("the name '\(name)' is already used at \(first.location)") }
            names[name] = node
        }

        var modbus: [Site.ModbusDevice] = []
        for node in try top["modbus"]?.sequence("the Modbus devices") ?? [] {
            let f = try node.mapping("a Modbus device", keys: ["name", "profile", "host", "port", "device"], required: ["name", "profile"])
            let name = try f["name"]!.string("a device name")
            try claim(name, f["name"]!)
            let profilePath = try resolve(f["profile"]!, "a device profile")
            var profile = try ModbusProfileFile.load(profilePath)
            // The same profile serves many identical devices: the site says where each one is.
            switch profile.transport {
            case .tcp(let host, let port):
                if let device = f["device"] { throw device.error("\(profilePath) is a TCP profile: give host and port, not device") }
                let newPort = try f["port"]?.integer("a TCP port") ?? port
                guard (1...65_535).contains(newPort) else { throw f["port"]!.error("a TCP port is 1-65535, not \(newPort)") }
                profile.transport = .tcp(host: try f["host"]?.string("a host") ?? host, port: newPort)
            case .rtu(let device, let settings):
                if let node = f["host"] ?? f["port"] { throw node.error("\(profilePath) is an RTU profile: give device, not host or port") }
                profile.transport = .rtu(device: try f["device"]?.string("a serial device") ?? device, settings: settings)
            }
            modbus.append(Site.ModbusDevice(name: name, profilePath: profilePath, profile: profile))
        }

        var boards: [Site.GPIOBoard] = []
        for node in try top["gpio"]?.sequence("the GPIO boards") ?? [] {
            let f = try node.mapping("a GPIO board", keys: ["name", "chip", "lines"], required: ["name", "chip", "lines"])
            let name = try f["name"]!.string("a board name")
            try claim(name, f["name"]!)
            var lines: [Site.GPIOLine] = []
            for lineNode in try f["lines"]!.sequence("the board's lines") {
                let l = try lineNode.mapping("a GPIO line", keys: ["name", "line", "kind", "debounce_ms", "bias", "active_low", "pulses_per_revolution"],
                                             required: ["name", "line"])
                let lineName = try l["name"]!.string("a line name")
                if lines.contains(where: { $0.name == lineName }) { throw l["name"]!.error("board '\(name)' already has a line '\(lineName)'") }
                let selector = try l["line"]!.string("a line offset or name")
                let debounce = try l["debounce_ms"]?.double("milliseconds") ?? 5
                guard debounce >= 0 else { throw l["debounce_ms"]!.error("a debounce cannot be negative") }
                let ppr = try l["pulses_per_revolution"]?.double("pulses per revolution") ?? 1
                guard ppr > 0 else { throw l["pulses_per_revolution"]!.error("pulses per revolution must be positive") }
                lines.append(Site.GPIOLine(
                    name: lineName, line: Int(selector).map { .offset($0) } ?? .name(selector),
                    kind: try l["kind"]?.choice("a line kind", ["state": Site.GPIOLine.Kind.state, "pulses": .pulses]) ?? .state,
                    debounceMilliseconds: debounce,
                    bias: try l["bias"]?.choice("a bias", of: Bias.self) ?? .asIs,
                    activeLow: try l["active_low"]?.bool("true or false") ?? false, pulsesPerRevolution: ppr))
            }
            boards.append(Site.GPIOBoard(name: name, chip: try f["chip"]!.string("a chip (name, number, label, path or 'simulated')"), lines: lines))
        }

        var receiver: Site.Receiver?
        if let node = top["gnss"] {
            let f = try node.mapping("the GNSS receiver", keys: ["profile", "port"], required: ["profile", "port"])
            let profilePath = try resolve(f["profile"]!, "a receiver profile")
            receiver = Site.Receiver(profilePath: profilePath, profile: try ReceiverProfileFile.load(profilePath), port: try f["port"]!.string("a serial device"))
        }

        func input(_ node: YAMLValue, _ what: String) throws(EdgeNodeError) -> Site.Input {
            let f = try node.mapping(what, keys: ["modbus", "gpio"])
            guard f.count == 1, let (kind, value) = f.first else { throw node.error("\(what) is {modbus: device.point} or {gpio: board.line}") }
            let reference = try value.string("device.point")
            let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw value.error("expected device.point, found '\(reference)'") }
            if kind == "modbus" {
                guard let device = modbus.first(where: { $0.name == parts[0] }) else { throw value.error("no Modbus device '\(parts[0])' on this site") }
                guard device.profile.point(named: parts[1]) != nil else { throw value.error("\(parts[0]) (\(device.profilePath)) has no point '\(parts[1])'") }
                return .modbus(device: parts[0], point: parts[1])
            }
            guard let board = boards.first(where: { $0.name == parts[0] }) else { throw value.error("no GPIO board '\(parts[0])' on this site") }
            guard board.lines.contains(where: { $0.name == parts[1] }) else { throw value.error("board '\(parts[0])' has no line '\(parts[1])'") }
            return .gpio(board: parts[0], line: parts[1])
        }

        var patrols: [Site.Patrol] = []
        for node in try top["patrols"]?.sequence("the patrols") ?? [] {
            let f = try node.mapping("a patrol", keys: ["route"], required: ["route"])
            let routePath = try resolve(f["route"]!, "a route file")
            let route = try RouteFile.load(routePath)
            if let finding = route.findings.first { throw .input(finding) }
            guard receiver != nil else { throw node.error("a patrol needs the site's gnss receiver") }
            // Every inspection point is a Modbus point or a GPIO line of this site.
            for checkpoint in route.route.checkpoints {
                for task in checkpoint.tasks {
                    let parts = task.point.split(separator: ".", maxSplits: 1).map(String.init)
                    let known = parts.count == 2 && (modbus.first { $0.name == parts[0] }?.profile.point(named: parts[1]) != nil
                                                     || boards.first { $0.name == parts[0] }?.lines.contains { $0.name == parts[1] } == true)
                    if !known {
                        throw f["route"]!.error("checkpoint '\(checkpoint.name)' of \(routePath) reads '\(task.point)', which is no Modbus point or GPIO line of this site")
                    }
                }
            }
            patrols.append(Site.Patrol(routePath: routePath, route: route))
        }

        var channels: [Site.MaintenanceChannel] = []
        for node in try top["maintenance"]?.sequence("the maintenance channels") ?? [] {
            let f = try node.mapping("a maintenance channel", keys: ["name", "source", "sample_rate", "machine_group", "support", "bearing", "speed",
                                                                     "operating_state"], required: ["name", "source", "sample_rate", "speed"])
            let name = try f["name"]!.string("a channel name")
            try claim(name, f["name"]!)
            let s = try f["source"]!.mapping("a vibration source", keys: ["simulated", "develops_after", "speedup", "file", "format"])
            let source: Site.MaintenanceChannel.Source
            if let simulated = s["simulated"] {
                let fault = try simulated.choice("a simulated machine", ["healthy": BearingFault.none, "outer_race": .outerRace,
                                                                         "inner_race": .innerRace, "ball": .ball, "cage": .cage])
                let speedup = try s["speedup"]?.double("a speed-up factor") ?? 1
                guard speedup >= 1 else { throw s["speedup"]!.error("speedup is at least 1") }
                source = .simulated(fault: fault, developsAfter: try s["develops_after"]?.double("seconds") ?? 120, speedup: speedup)
            } else if s["file"] != nil {
                // A recording, or a FIFO a DAQ driver writes into: it may appear after the daemon starts.
                source = .file(path: try resolve(s["file"]!, "a recording or FIFO", mustExist: false),
                               format: try s["format"]?.choice("a binary sample format (s16le: full scale 1 g)", ["f32le": RecordingAnalysis.Encoding.f32le, "s16le": .s16le]) ?? .f32le)
            } else {
                throw f["source"]!.error("a source is {simulated: KIND, develops_after: S, speedup: X} or {file: PATH, format: f32le|s16le}")
            }
            let rate = try f["sample_rate"]!.double("samples per second")
            guard rate >= 1000 else { throw f["sample_rate"]!.error("a vibration channel needs at least 1000 samples/s (velocity RMS covers 10-1000 Hz), not \(rate)") }
            var bearing: BearingGeometry?
            if let b = f["bearing"] {
                let g = try b.mapping("a bearing", keys: ["n", "d", "D", "angle"], required: ["n", "d", "D"])
                bearing = BearingGeometry(rollingElements: try g["n"]!.integer("the number of rolling elements"), elementDiameter: try g["d"]!.double("the element diameter"),
                                          pitchDiameter: try g["D"]!.double("the pitch diameter"), contactAngleDegrees: try g["angle"]?.double("a contact angle") ?? 0)
                guard bearing!.elementDiameter < bearing!.pitchDiameter else { throw b.error("the element diameter d must be smaller than the pitch diameter D") }
            }
            let speedNode = try f["speed"]!.mapping("a speed source", keys: ["nominal_hz", "modbus", "gpio"])
            let speed: Site.MaintenanceChannel.Speed
            if let nominal = speedNode["nominal_hz"] {
                speed = .nominal(hertz: try nominal.double("the running speed in Hz"))
            } else {
                let reference = try input(f["speed"]!, "a speed input")
                if case .gpio(let board, let line) = reference, boards.first(where: { $0.name == board })?.lines.first(where: { $0.name == line })?.kind != .pulses {
                    throw f["speed"]!.error("\(board).\(line) is a state line; a speed input is a line of kind: pulses")
                }
                speed = .input(reference)
            }
            channels.append(Site.MaintenanceChannel(
                name: name, source: source, sampleRate: rate,
                machineGroup: try f["machine_group"]?.choice("a machine group (1 or 2)", ["1": SeverityCriteria.MachineGroup.one, "2": .two]) ?? .two,
                support: try f["support"]?.choice("a support", ["rigid": SeverityCriteria.Support.rigid, "flexible": .flexible]) ?? .rigid,
                bearing: bearing, speed: speed, operatingState: try f["operating_state"].map { node throws(EdgeNodeError) in try input(node, "an operating-state input") }))
        }

        let outputs = try top["outputs"]?.mapping("the outputs", keys: ["directory", "rotate_bytes", "keep"]) ?? [:]
        let rotate = try outputs["rotate_bytes"]?.integer("bytes per file before rotating") ?? 10_485_760
        guard rotate >= 4096 else { throw outputs["rotate_bytes"]!.error("rotate_bytes is at least 4096, not \(rotate)") }
        let keep = try outputs["keep"]?.integer("rotated files to keep") ?? 5
        guard (1...100).contains(keep) else { throw outputs["keep"]!.error("keep is 1-100, not \(keep)") }
        var status: (host: String, port: Int)?
        if let node = top["status"] {
            let f = try node.mapping("the status endpoint", keys: ["listen"], required: ["listen"])
            let listen = try f["listen"]!.string("HOST:PORT")
            let parts = listen.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (0...65_535).contains(port) else { throw f["listen"]!.error("expected HOST:PORT, found '\(listen)'") }
            status = (String(parts[0]), port)
        }
        return Site(name: try top["site"]!.string("the site's name"), file: file, modbus: modbus, gpio: boards, gnss: receiver, patrols: patrols,
                    maintenance: channels, outputDirectory: try outputs["directory"]?.string("a directory") ?? "/var/lib/edge-node",
                    rotateBytes: rotate, keepFiles: keep, statusListen: status)
    }
}

extension SiteFile {
    /// Where the daemon looks for its site without `--site`: the installed one, else the repository's.
    public static var defaultPath: String {
        FileManager.default.fileExists(atPath: "/etc/edge-node/site.yaml") ? "/etc/edge-node/site.yaml" : "devices/site.yaml"
    }

    /// What `edge-node config check` prints for a site that loads: each part, then "OK".
    public static func summary(_ site: Site, json: Bool) -> String {
        let modbusPoints = site.modbus.reduce(0) { $0 + $1.profile.pointCount }
        let lines = site.gpio.reduce(0) { $0 + $1.lines.count }
        let checkpoints = site.patrols.reduce(0) { $0 + $1.route.route.checkpoints.count }
        if json {
            var w = JSONWriter()
            w.raw("{\"site\":"); w.string(site.name)
            w.key("file"); w.string(site.file)
            w.key("modbus_devices"); w.integer(site.modbus.count); w.key("modbus_points"); w.integer(modbusPoints)
            w.key("gpio_boards"); w.integer(site.gpio.count); w.key("gpio_lines"); w.integer(lines)
            w.key("gnss"); if let gnss = site.gnss { w.string("\(gnss.profile.name) on \(gnss.port)") } else { w.raw("null") }
            w.key("patrols"); w.integer(site.patrols.count); w.key("checkpoints"); w.integer(checkpoints)
            w.key("maintenance_channels"); w.integer(site.maintenance.count)
            w.key("outputs"); w.string(site.outputDirectory)
            w.key("status"); if let status = site.statusListen { w.string("\(status.host):\(status.port)") } else { w.raw("null") }
            w.key("ok"); w.raw("true}\n")
            return String(decoding: w.bytes, as: UTF8.self)
        }
        var text = "site \(site.name) (\(site.file))\n"
        func row(_ kind: String, _ name: String, _ detail: String) { text += "  " + kind.padding(11) + name.padding(20) + detail + "\n" }
        for device in site.modbus {
            row("modbus", device.name, "\(device.profile.name), \(device.profile.transport), \(device.profile.pointCount) points")
        }
        for board in site.gpio { row("gpio", board.name, "chip \(board.chip): " + board.lines.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")) }
        if let gnss = site.gnss { row("gnss", "receiver", "\(gnss.profile.name) on \(gnss.port), \(gnss.profile.settings.baud) baud") }
        for patrol in site.patrols { row("patrol", patrol.route.route.name, "\(patrol.route.route.checkpoints.count) checkpoints (\(patrol.routePath))") }
        for channel in site.maintenance {
            row("vibration", channel.name, "\(Int(channel.sampleRate)) samples/s, ISO 10816-3 group \(channel.machineGroup.rawValue) \(channel.support.rawValue)"
                + (channel.bearing == nil ? "" : ", bearing geometry"))
        }
        row("outputs", site.outputDirectory, "rotate at \(site.rotateBytes) bytes, keep \(site.keepFiles)")
        if let status = site.statusListen { row("status", "\(status.host):\(status.port)", "/status and /metrics") }
        return text + "OK\n"
    }
}
