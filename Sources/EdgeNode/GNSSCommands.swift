import JSONText
import EdgeIO
import FoundationEssentials
import Glibc
import NMEAParser

/// What `edge-node gnss watch` and `edge-node simulate gnss` do, callable from tests.
public enum GNSSCommands {
    /// Watches a receiver: one row (or one gpsd-style TPV) per epoch, and the service's events,
    /// until `epochs` epochs or `seconds` seconds have passed (nil: until interrupted); every
    /// `skyEvery` epochs (0: never) and at the end, the sky and the counts (``skyReport``).
    public static func watch(profilePath: String, port: String, json: Bool, epochs: Int?, seconds: Double?, skyEvery: Int = 10,
                             output: inout OutputSink) throws(EdgeNodeError) {
        let profile = try ReceiverProfileFile.load(profilePath)
        let service = GNSSReceiverService(path: port, profile: profile)
        let deadline = seconds.map { monotonicSeconds() + $0 }
        var count = 0
        var table = EpochTableConsumer()
        var lastSky: SkyView?
        if !json { output.write("\(profile.name) on \(port), \(profile.settings.baud) baud\n" + EpochTableConsumer.header) }
        output.flush()
        service.run(shouldStop: { (epochs.map { count >= $0 } ?? false) || (deadline.map { monotonicSeconds() >= $0 } ?? false) }) { event in
            switch event {
            case .epoch(let fix, let sky):
                count += 1
                if json {
                    var writer = JSONWriter(capacity: 512)
                    GpsdReporter().writeTPV(fix, into: &writer)
                    writer.withBytes { output.write($0) }
                } else {
                    table.epoch(fix, sky)
                    output.write(table.text)
                    table.text = ""
                    lastSky = sky
                    if skyEvery > 0 && count % skyEvery == 0 { output.write(skyReport(sky, service.statistics, service.discards)) }
                }
            case .opened(let path): output.write(json ? "{\"class\":\"EVENT\",\"event\":\"opened\",\"path\":\"\(path)\"}\n" : "opened \(path)\n")
            case .silent(let seconds):
                output.write(json ? "{\"class\":\"EVENT\",\"event\":\"silent\",\"seconds\":\(format(seconds, 1))}\n" : "silent for \(format(seconds, 1)) s\n")
            case .stalled(let seconds, let stall):
                let detail = stall.detail(port: port), remedy = stall.remedy(profile, path: profilePath)
                var writer = JSONWriter(capacity: 512)
                writer.raw("{\"class\":\"EVENT\",\"event\":\"stalled\",\"seconds\":"); writer.fixed(seconds, decimals: 1)
                writer.key("detail"); writer.string(detail)
                writer.key("remedy"); writer.string(remedy); writer.raw("}\n")
                output.write(json ? String(decoding: writer.bytes, as: UTF8.self) : "no epoch for \(format(seconds, 1)) s: \(detail); \(remedy)\n")
            case .resumed: output.write(json ? "{\"class\":\"EVENT\",\"event\":\"resumed\"}\n" : "receiving again\n")
            case .unavailable(let reason, let retry):
                var writer = JSONWriter(capacity: 256)
                writer.raw("{\"class\":\"EVENT\",\"event\":\"unavailable\",\"reason\":"); writer.string(reason)
                writer.key("retry_in"); writer.fixed(retry, decimals: 1); writer.raw("}\n")
                output.write(json ? String(decoding: writer.bytes, as: UTF8.self) : "unavailable: \(reason); retrying in \(format(retry, 1)) s\n")
            }
            output.flush()
        }
        if !json, let lastSky, skyEvery == 0 || count % skyEvery != 0 { output.write(skyReport(lastSky, service.statistics, service.discards)) }
        output.flush()
    }

    /// The sky as a text bar chart (one bar per satellite, its length the signal strength, `*` when
    /// used), then the sentence counts and the errors:
    ///
    ///     sky (bar: signal strength, *: used in the fix)
    ///     GPS 17      ████████████████████████  48 dB-Hz  el 71  az 130  *
    ///     sentences GGA 10, GSA 30, GSV 80, RMC 10; checksum failures 0, decode errors 0, discarded bytes 0
    public static func skyReport(_ sky: SkyView, _ statistics: NMEAStatistics, _ discards: NMEAFramer.Discards) -> String {
        var text = "sky (bar: signal strength, *: used in the fix)\n"
        for satellite in sky.satellites.sorted(by: { $0.id < $1.id }) {
            let snr = satellite.snr ?? 0
            text += "  \(satellite.id.description.padding(11))\(String(repeating: "█", count: snr / 2).padding(27))"
            text += (satellite.snr.map { "\($0) dB-Hz" } ?? "-").padding(10)
            text += "el \(satellite.elevationDegrees.map(String.init) ?? "-")".padding(7) + "az \(satellite.azimuthDegrees.map(String.init) ?? "-")".padding(8)
            text += satellite.used ? "*\n" : "\n"
        }
        let counts = statistics.sentencesByAddress.sorted { $0.key.description < $1.key.description }.map { "\($0.key) \($0.value)" }
        text += "sentences \(counts.joined(separator: ", ")); checksum failures \(discards.badChecksum + statistics.flaggedChecksums), "
        text += "decode errors \(statistics.decodeErrors), discarded bytes \(discards.totalBytes)\n"
        return text
    }

    /// What `edge-node simulate gnss` simulates.
    public struct Simulation: Sendable {
        /// Drive through a route file's checkpoints (stopping at each) ...
        public var routePath: String?
        /// ... or along a GPX track (`trkpt`, else `rtept`, else `wpt`) without stopping.
        public var trackPath: String?
        public var receiver = SimulatedGNSSReceiver()
        /// 1: real time; 20: twenty times faster; 0: as fast as possible.
        public var timeScale = 1.0

        public init() {}
    }

    /// The modes by their command-line names.
    public static let modes: [String: SimulatedGNSSReceiver.Mode] = ["rtk_fixed": .rtkFixed, "rtk_float": .rtkFloat,
                                                                      "differential": .differential, "autonomous": .autonomous]

    /// Reads a scripted event, `START[-END]:KIND[=VALUE]` with times in seconds from the start:
    /// KIND is a mode (rtk_fixed, rtk_float, differential, autonomous), `outage`, `outlier=METRES`,
    /// `hdop=X` or `satellites=N`. Without END an outlier lasts one fix and the others to the end.
    public static func event(_ text: String, rate: Double) throws(EdgeNodeError) -> SimulatedGNSSReceiver.Event {
        let expected = "--event '\(text)': expected START[-END]:KIND[=VALUE], e.g. 30-45:rtk_float, 60:outlier=25, 90-100:outage, 120-150:satellites=5 or 10-20:hdop=3.5"
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw .input(expected) }
        let times = parts[0].split(separator: "-", maxSplits: 1).map { Double($0) }
        guard let start = times[0], start >= 0, times.count == 1 || (times[1] ?? -1) > start else { throw .input(expected) }
        let kindAndValue = parts[1].split(separator: "=", maxSplits: 1).map(String.init)
        let value = kindAndValue.count == 2 ? Double(kindAndValue[1]) : nil
        let kind: SimulatedGNSSReceiver.Event.Kind
        switch kindAndValue[0] {
        case "outage": kind = .outage
        case "outlier": guard let value else { throw .input(expected) }; kind = .outlier(metres: value)
        case "hdop": guard let value, value > 0 else { throw .input(expected) }; kind = .hdop(value)
        case "satellites": guard let value, value >= 0 else { throw .input(expected) }; kind = .satellites(Int(value))
        case let name:
            guard let mode = modes[name], kindAndValue.count == 1 else { throw .input(expected) }
            kind = .mode(mode)
        }
        let end: Double
        if times.count == 2 { end = times[1]! } else if case .outlier = kind { end = start + 1 / rate } else { end = .infinity }
        return SimulatedGNSSReceiver.Event(start: start, end: end, kind: kind)
    }

    /// Runs the simulation, writing each epoch through `send` at the pace of `timeScale`.
    public static func simulate(_ simulation: Simulation, send: ([UInt8]) throws(EdgeNodeError) -> Void) throws(EdgeNodeError) {
        let waypoints: [(latitude: Double, longitude: Double)]
        if let path = simulation.trackPath {
            guard let data = FileManager.default.contents(atPath: path) else { throw .input("cannot read \(path)") }
            let text = String(decoding: data, as: UTF8.self)
            do throws(GPXError) {
                var points = try gpxPoints(text, element: "trkpt")
                if points.isEmpty { points = try gpxPoints(text, element: "rtept") }
                if points.isEmpty { points = try gpxPoints(text, element: "wpt") }
                guard points.count >= 2 else { throw GPXError(reason: "expected a track of at least two <trkpt>, <rtept> or <wpt>") }
                waypoints = points.map { ($0.coordinate.latitude, $0.coordinate.longitude) }
            } catch { throw .input("\(path): \(error.reason)") }
        } else if let path = simulation.routePath {
            waypoints = try RouteFile.load(path).route.checkpoints.map { ($0.latitude, $0.longitude) }
        } else {
            throw .input("give --route FILE or --track FILE.gpx")
        }
        let receiver = simulation.receiver
        guard receiver.speed > 0, receiver.noise >= 0, (1...10).contains(receiver.rate), simulation.timeScale >= 0 else {
            throw .input("--speed must be positive, --rate 1 to 10 Hz, --noise and --time-scale not negative")
        }
        let interval = simulation.timeScale > 0 ? 1 / (receiver.rate * simulation.timeScale) : 0
        var due = monotonicSeconds()
        for epoch in receiver.epochs(through: waypoints) {
            try send(Array(epoch.utf8))
            guard interval > 0 else { continue }
            due += interval
            let wait = due - monotonicSeconds()
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
    }

    /// A new pseudo-terminal (and a symlink to it when `link` is given) for `simulate gnss --pty`;
    /// epochs that nobody reads are lost, as from a real receiver's UART.
    public static func withPseudoTerminal(link: String?, _ body: (PseudoTerminal) throws(EdgeNodeError) -> Void) throws(EdgeNodeError) {
        let terminal: PseudoTerminal
        do { terminal = try PseudoTerminal() } catch { throw .runtime("cannot create a pseudo-terminal: \(error)") }
        if let link {
            unlink(link)
            guard symlink(terminal.path, link) == 0 else { throw .runtime("cannot create \(link): \(String(cString: strerror(errno)))") }
        }
        defer { if let link { unlink(link) } }
        try body(terminal)
    }
}

extension ReceiverStall {
    /// What arrived instead of epochs.
    func detail(port: String) -> String {
        switch self {
        case .noSentence(let bytes): "\(bytes) bytes from \(port) but no NMEA sentence"
        case .noTimedSentence(let sentences): "\(sentences) sentences from \(port) but none that carries the time (GGA, RMC, GLL, GNS, ZDA)"
        case .noNewTime(let sentences): "\(sentences) sentences from \(port) with the time empty or not advancing: the receiver tracks no satellite yet"
        }
    }

    /// What to do about it, for a receiver of `profile` described in the file at `path`.
    func remedy(_ profile: ReceiverProfile, path: String) -> String {
        switch self {
        case .noSentence:
            "the baud rate is likely wrong (\(profile.settings.baud) in \(path); receivers ship at 9600, 38400 or 115200), "
                + "or the receiver sends only binary (UBX, RTCM): set the rate, or switch NMEA output on"
        case .noTimedSentence: "switch on GGA or RMC output (the start-up commands in \(path))"
        case .noNewTime: "check the antenna: a clear sky view, its cable and connector; a cold start takes up to a minute"
        }
    }
}
