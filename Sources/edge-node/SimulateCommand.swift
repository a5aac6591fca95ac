import ArgumentParser
import EdgeIO
import EdgeNode
import PredictiveMaintenance

extension SimulatedGNSSReceiver.Edition: ExpressibleByArgument {}
extension SimulatedGNSSReceiver.BeiDouTalker: ExpressibleByArgument {}
extension BearingFault: ExpressibleByArgument {}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulated twins of the gateway's devices, for trying things without hardware.",
        subcommands: [GNSSReceiver.self, GPIOBoard.self, ModbusDevice.self, VibrationSensor.self]
    )

    struct GNSSReceiver: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gnss",
            abstract: "A simulated GPS + BeiDou + Galileo receiver driving along a route or a GPX track.",
            discussion: """
            Sends the NMEA a rover's receiver would send: per fix GGA, a GSA and GSVs per \
            constellation, and RMC, with receiver noise and scripted events. With --pty it creates a \
            pseudo-terminal, prints its path (and makes --link point at it) and paces the fixes in \
            real time (--time-scale to go faster); without, the NMEA goes to standard output.

            Events (--event, repeatable): START[-END]:KIND[=VALUE], seconds from the start.
              30-45:rtk_float     RTK fixed -> float for 15 s (also rtk_fixed, differential, autonomous)
              60-70:outage        no fix
              80:outlier=25       one fix 25 m off
              90-120:hdop=3.5     a worse HDOP
              100-130:satellites=5  only 5 satellites used

            Examples:
              edge-node simulate gnss --route devices/routes/zhuhai-plant-north.yaml --pty --link /tmp/gnss &
              edge-node gnss watch --profile devices/receivers/quectel-lc29h.yaml --port /tmp/gnss
              edge-node simulate gnss --track drive.gpx --rate 10 --time-scale 0 --event 30-60:rtk_float | edge-node nmea stats -
              edge-node simulate gnss --route devices/routes/zhuhai-plant-north.yaml --edition 4.0 --beidou-talker BD --time-scale 0
            """
        )
        @Option(help: "Drive through this route's checkpoints, stopping at each.") var route: String?
        @Flag(help: "With --pty: start once a program has the port open, so that no fix is sent to nobody.")
        var waitForReader = false
        @Option(help: "Drive along this GPX track (trkpt, else rtept, else wpt) without stopping.") var track: String?
        @Flag(help: "Serve on a new pseudo-terminal instead of standard output.") var pty = false
        @Option(help: "With --pty: also make this symlink to the device.") var link: String?
        @Option(help: "Fixes per second, 1-10.") var rate: Double = 1
        @Option(help: "1: real time, 20: twenty times faster, 0: no pacing.") var timeScale: Double = 1
        @Option(help: "Speed, m/s.") var speed: Double = 2
        @Option(help: "1-sigma position noise, metres.") var noise: Double = 0.05
        @Option(help: "Solution: rtk_fixed, rtk_float, differential or autonomous.") var mode = "rtk_fixed"
        @Option(help: "NMEA edition: 4.10 and 4.11 carry system and signal IDs.") var edition = SimulatedGNSSReceiver.Edition.v411
        @Option(help: "BeiDou talker.") var beidouTalker = SimulatedGNSSReceiver.BeiDouTalker.gb
        @Option(help: "A scripted event (see above); repeatable.") var event: [String] = []
        @Option(help: "Noise seed: the same seed gives the same bytes.") var seed: UInt64 = 1

        func validate() throws {
            guard pty || link == nil else { throw ValidationError("--link needs --pty") }
            guard GNSSCommands.modes[mode] != nil else {
                throw ValidationError("--mode: expected one of \(GNSSCommands.modes.keys.sorted().joined(separator: ", ")), found '\(mode)'")
            }
            guard (1...10).contains(rate) else { throw ValidationError("--rate is 1-10 fixes per second") }
            guard timeScale >= 0, timeScale.isFinite else { throw ValidationError("--time-scale is 0 (no pacing) or more") }
            guard speed > 0, speed.isFinite, noise >= 0, noise.isFinite else { throw ValidationError("--speed must be positive and --noise not negative") }
        }

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var simulation = GNSSCommands.Simulation()
                simulation.routePath = route
                simulation.trackPath = track
                simulation.timeScale = timeScale
                simulation.receiver.mode = GNSSCommands.modes[mode] ?? .rtkFixed
                simulation.receiver.edition = edition
                simulation.receiver.beidouTalker = beidouTalker
                simulation.receiver.rate = rate
                simulation.receiver.speed = speed
                simulation.receiver.noise = noise
                simulation.receiver.seed = seed
                if track != nil { simulation.receiver.pause = 0 }
                for text in event { simulation.receiver.events.append(try GNSSCommands.event(text, rate: rate)) }
                var output = OutputSink()
                if pty {
                    try GNSSCommands.withPseudoTerminal(link: link) { terminal throws(EdgeNodeError) in
                        output.write("simulated \(mode) receiver on \(terminal.path)" + (link.map { " (\($0))" } ?? "") + "\n")
                        output.flush()
                        if waitForReader { _ = terminal.waitForReader(timeout: .infinity) }
                        try GNSSCommands.simulate(simulation) { bytes throws(EdgeNodeError) in
                            do { try terminal.writeWithoutWaiting(bytes) } catch { throw .runtime("\(error)") }
                        }
                    }
                } else {
                    try GNSSCommands.simulate(simulation) { bytes in
                        output.write(bytes)
                        output.flush()
                    }
                }
            }
        }
    }
}

extension Simulate {
    struct GPIOBoard: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gpio",
            abstract: "The simulated plant's GPIO board, watched live.",
            discussion: """
            Runs the simulated board ('--chip simulated' in the gpio commands) in real time and \
            watches it through the same event loop as a real chip: a door contact that bounces \
            every 8 s (door_closed, line 0), a tank level float (tank_level_high, 1), a 45 Hz \
            flow meter (flow_meter, 2), a 1470 rpm pump tachometer that stops 6 s in every 40 s \
            (pump_tach, 3) and a smoke detector stuck low (smoke_alarm, 4).

            Example:
              edge-node simulate gpio --seconds 30
            """
        )
        @Option(help: "Stop after this many seconds (default: until interrupted).") var seconds: Double?
        @Flag(help: "Every edge with its timestamp too.") var raw = false
        @Flag(help: "JSON Lines.") var json = false

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var options = GPIOCommands.WatchOptions()
                options.seconds = seconds
                options.raw = raw
                options.json = json
                var output = OutputSink()
                try GPIOCommands.watch(chip: PlantGPIOScenario.chipName, options, output: &output)
            }
        }
    }
}

extension Simulate {
    struct ModbusDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modbus",
            abstract: "Serve a device profile's units as a Modbus TCP or RTU device, with faults on request.",
            discussion: """
            Serves every point of the profile with its 'simulate' generator (constant, text, ramp, \
            sine, noise, replay of a CSV), keeps what clients write to read-write points, and answers \
            exception 2 on every address no point declares. TCP takes several clients at once; --rtu \
            serves a serial port or pseudo-terminal (e.g. one end of a socat pty pair).

            Examples:
              edge-node simulate modbus --profile devices/modbus/line-plc.yaml --listen 127.0.0.1:1502
              mbpoll -m tcp -p 1502 -a 1 -r 1 -c 2 -t 4:float -B 127.0.0.1
              socat pty,raw,echo=0,link=/tmp/rtu-a pty,raw,echo=0,link=/tmp/rtu-b &
              edge-node simulate modbus --profile devices/modbus/vfd.yaml --rtu /tmp/rtu-a --line-timing
              edge-node simulate modbus --profile devices/modbus/energy-meter.yaml --exception 6@input:0-9 --drop-every 10
            """
        )
        @Option(help: "The device profile.") var profile: String
        @Option(help: "HOST:PORT for Modbus TCP (default: the profile's TCP address, or 127.0.0.1:1502).") var listen: String?
        @Option(help: "Serve Modbus RTU on this serial device or pseudo-terminal instead.") var rtu: String?
        @Option(help: "Delay before every reply, milliseconds.") var delay: Double = 0
        @Option(help: "Exception CODE@TABLE:FROM[-TO] for requests touching the range; repeatable.") var exception: [String] = []
        @Option(help: "Drop every Nth reply.") var dropEvery = 0
        @Option(help: "Reply with a wrong unit id to every Nth request.") var wrongUnitEvery = 0
        @Option(help: "Close each TCP connection after N requests.") var disconnectAfter = 0
        @Option(help: "A unit that never answers (a dead slave); repeatable.") var silentUnit: [Int] = []
        @Option(help: "Answer the first N requests with exception 6 (busy).") var busy = 0
        @Flag(help: "RTU: hold each reply for the time request and reply take on the wire at the profile's baud.") var lineTiming = false
        @Option(help: "Stop after this many seconds (default: until interrupted).") var seconds: Double?

        func validate() throws {
            guard listen == nil || rtu == nil else { throw ValidationError("--listen (TCP) or --rtu (serial), not both") }
            guard delay >= 0, delay.isFinite, dropEvery >= 0, wrongUnitEvery >= 0, disconnectAfter >= 0, busy >= 0 else {
                throw ValidationError("fault settings cannot be negative")
            }
            guard !lineTiming || rtu != nil else { throw ValidationError("--line-timing is for --rtu") }
        }

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                var simulation = ModbusCommands.Simulation()
                simulation.listen = listen
                simulation.rtu = rtu
                simulation.seconds = seconds
                simulation.faults.responseDelay = delay / 1000
                for rule in exception { simulation.faults.exceptions.append(try ModbusCommands.exceptionRule(rule)) }
                simulation.faults.dropEvery = dropEvery
                simulation.faults.wrongUnitEvery = wrongUnitEvery
                simulation.faults.disconnectAfter = disconnectAfter
                simulation.faults.silentUnits = Set(silentUnit)
                simulation.faults.busyReplies = busy
                if lineTiming {
                    let profile = try ModbusProfileFile.load(self.profile)
                    if case .rtu(_, let settings) = profile.transport { simulation.faults.lineBaud = settings.baud } else { simulation.faults.lineBaud = 19_200 }
                }
                try ModbusCommands.simulate(profilePath: profile, simulation) { line in
                    var output = OutputSink()
                    output.write(line + "\n")
                    output.flush()
                }
            }
        }
    }

    struct VibrationSensor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vibration",
            abstract: "A recording from the simulated pump's drive-end accelerometer, with a bearing fault if asked.",
            discussion: """
            Writes float32 little-endian samples in g: the shaft harmonics of a pump turning at \
            \(SimulatedPump.shaftHz) Hz, broadband noise and, with --fault, the impacts of a defect \
            ringing a 3 kHz resonance at the bearing's defect rate. The bearing is \
            n=8,d=7.94,D=39.04 (mm), as in the daemon's simulated maintenance channels. The same \
            --seed gives the same samples.

            Examples:
              edge-node simulate vibration --fault outer_race --output pump.f32
              edge-node vibration analyze pump.f32 --rate 25600 --shaft-hz \(SimulatedPump.shaftHz) --bearing n=8,d=7.94,D=39.04
            """
        )
        @Option(help: "The bearing fault: \(BearingFault.allCases.map(\.rawValue).joined(separator: ", ")).") var fault: BearingFault = .none
        @Option(help: "Sample rate, Hz.") var rate: Double = 25_600
        @Option(help: "Length of the recording, seconds (10 s tells 2x BSF from BPFI on this bearing; 4 s does not).") var seconds: Double = 10
        @Option(help: "Seed of the noise.") var seed: UInt64 = 1
        @Option(help: "Write the recording to this file instead of standard output.") var output: String?

        func validate() throws {
            guard RecordingAnalysis.Settings.sampleRates.contains(rate) else { throw ValidationError("--rate must be from 50 to 10000000 Hz") }
            guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be above 0 and at most 3600") }
        }

        func run() throws {
            try reportingErrors { () throws(EdgeNodeError) in
                let bytes = SimulatedPump.recording(fault: fault, sampleRate: rate, seconds: seconds, seed: seed)
                if let output {
                    try OutputSink.writeFile(bytes, to: output)
                } else {
                    var sink = OutputSink()
                    sink.write(bytes)
                }
            }
        }
    }
}
