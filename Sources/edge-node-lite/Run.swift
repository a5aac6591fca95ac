import CLiteSupport
import JSONText
import NMEAParser
import PatrolAgent
import PatrolRuntime
import PredictiveMaintenance

/// `run`: the firmware build's daemon loop. The receiver on a serial port feeds the patrol, and a
/// FIFO of vibration samples, if given, a maintenance channel; the events go to a JSON Lines file
/// in the daemon's schema (its device and maintenance events, and the patrol's run record lines
/// as the daemon writes them). A receiver or a FIFO that falls silent or goes away is a
/// `device_fault`, the patrol's clock moves on without it (positions go stale), and the port is
/// opened again each second; SIGTERM or SIGINT stops the loop.
func run(_ arguments: [String]) throws(LiteError) {
    let options = try Options(arguments, flags: ["--until-complete"],
                              values: ["--route", "--receiver", "--baud", "--events", "--silent-after", "--vibration", "--rate",
                                       "--shaft-hz", "--bearing", "--channel"])
    guard let routePath = options.values["--route"], let port = options.values["--receiver"], let eventsPath = options.values["--events"] else {
        throw LiteError("run needs --route ROUTE.json, --receiver PORT and --events FILE", exitCode: 2)
    }
    let baud = Int32(try options.number("--baud") ?? 9600)
    let silentAfter = try options.number("--silent-after") ?? 3
    let route = try compiledRoute(routePath)
    let events = lite_open_append(eventsPath)
    guard events >= 0 else { throw .system(eventsPath) }
    let log = EventLog(descriptor: events)
    var patrol = Patrol(agent: PatrolAgent(route: route, reader: NoReadings()))
    var stream = NMEAStream()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    defer { buffer.deallocate() }
    var receiver: Int32 = -1
    var lastByte = monotonicSeconds()
    var down: String?
    var vibration = try options.values["--vibration"].map { path throws(LiteError) in try VibrationFeed(path: path, options: options) }
    lite_catch_stop_signals()
    log.event("daemon_ready", source: "edge-node-lite")

    /// The receiver is down for `reason` (reported once), and the patrol's clock moves on.
    func receiverDown(_ reason: String) {
        if down == nil { log.event("device_fault", source: "gnss") { w in w.key("reason"); w.string(reason) } }
        down = reason
        guard let time = patrol.clock.receiverTime(at: monotonicSeconds()) else { return }
        PatrolEvents.advance(&patrol.agent, to: time, with: nil, writing: &patrol.record)
        log.write(&patrol.record)
    }

    while lite_stop_requested() == 0, !(options.flags.contains("--until-complete") && patrol.agent.isComplete) {
        if receiver < 0 {
            receiver = lite_serial_open(port, baud)
            guard receiver >= 0 else {
                receiverDown("\(port): \(String(cString: lite_error_text()))")
                lite_sleep_milliseconds(1000)
                continue
            }
            log.event("device_up", source: "gnss") { w in w.key("port"); w.string(port) }
            down = nil
            lastByte = monotonicSeconds()
        }
        vibration?.open(log)
        let ready = [receiver, vibration?.descriptor ?? -1].withUnsafeBufferPointer { lite_wait_any($0.baseAddress, 2, 200) }
        guard ready >= 0 else { throw .system(port) }
        if ready & 2 != 0 { vibration?.read(log) }
        vibration?.checkSilence(log, after: silentAfter)
        if ready & 1 != 0 {
            let count = lite_read(receiver, buffer.baseAddress, UInt(buffer.count))
            guard count > 0 else {
                // The other end hung up (a pseudo-terminal closed, a USB receiver unplugged).
                let reason = count == 0 ? "\(port): closed" : "\(port): \(String(cString: lite_error_text()))"
                lite_close(receiver)
                receiver = -1
                receiverDown(reason)
                continue
            }
            lastByte = monotonicSeconds()
            if down != nil {
                log.event("device_up", source: "gnss")
                down = nil
            }
            stream.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), into: &patrol)
            log.write(&patrol.record)
        } else {
            let quiet = monotonicSeconds() - lastByte
            if quiet >= silentAfter { receiverDown("silent for \(format(quiet, 1)) s") }
        }
    }
    if receiver >= 0 { lite_close(receiver) }
    log.event("daemon_stopped", source: "edge-node-lite")
    lite_close(events)
}

/// The monotonic clock, seconds.
func monotonicSeconds() -> Double { Double(lite_monotonic_nanoseconds()) / 1e9 }

/// The event file: each line written whole as it is made.
struct EventLog {
    let descriptor: Int32

    /// One line `{"event": kind, "source": source, "utc": now, ...fields}`, as the daemon writes it.
    func event(_ kind: StaticString, source: String, _ fields: (inout JSONWriter) -> Void = { _ in }) {
        var w = JSONWriter(capacity: 512)
        w.eventLine(kind, source: source, utcNanoseconds: lite_utc_nanoseconds(), fields)
        write(&w)
    }

    /// Writes the lines in `writer` and empties it.
    func write(_ writer: inout JSONWriter) {
        writer.withBytes { _ = lite_write_all(descriptor, $0.baseAddress, UInt($0.count)) }
        writer.removeAll()
    }
}

/// A maintenance channel fed by a FIFO of float32 little-endian samples (whole samples kept
/// across reads): its windows analysed, its health's events logged as the daemon logs them. The
/// FIFO is opened without waiting for a writer, and again when its writer leaves.
struct VibrationFeed {
    /// Samples in a window, and between windows (the daemon's channels use the same).
    static let frame = 4096
    let path: String
    let name: String
    let sampleRate: Double
    let operating: OperatingState
    let channel: VibrationChannel
    private(set) var descriptor: Int32 = -1
    private var episodes = AlarmEpisodes()
    private var partial: [UInt8] = []
    private var produced = 0
    private var lastSamples = monotonicSeconds()
    private var fault: String?

    init(path: String, options: Options) throws(LiteError) {
        guard let rate = try options.number("--rate") else { throw LiteError("--vibration needs --rate HZ", exitCode: 2) }
        var configuration = WindowAnalyzer.Configuration(sampleRate: rate, frameLength: Self.frame)
        configuration.bearing = try reported { () throws(RecordingError) in
            try options.values["--bearing"].map { text throws(RecordingError) in try RecordingAnalysis.Settings.bearing(parsing: text) }
        }
        self.path = path
        name = options.values["--channel"] ?? "vibration"
        sampleRate = rate
        operating = OperatingState(running: true, speedHz: try options.number("--shaft-hz"))
        channel = VibrationChannel(configuration, hop: Self.frame)
    }

    /// Opens the FIFO when it is not open; a failure is a fault, reported once.
    mutating func open(_ log: EventLog) {
        guard descriptor < 0 else { return }
        descriptor = lite_open_read_nonblocking(path)
        if descriptor < 0 { report("\(path): \(String(cString: lite_error_text()))", log) }
    }

    /// Reads what is there and analyses it.
    mutating func read(_ log: EventLog) {
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let count = bytes.withUnsafeMutableBytes { lite_read(descriptor, $0.baseAddress, UInt($0.count)) }
        guard count > 0 else {
            // The writer left (or the file ended): a FIFO is opened again for the next writer.
            if count == 0 && lite_is_fifo(descriptor) != 0 {
                lite_close(descriptor)
                descriptor = -1
            }
            return
        }
        partial += bytes[0..<count]
        let whole = partial.count / 4 * 4
        guard whole > 0 else { return }
        let block = partial.withUnsafeBytes { raw in
            (0..<(whole / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        partial.removeFirst(whole)
        lastSamples = monotonicSeconds()
        if fault != nil {
            fault = nil
            log.event("device_up", source: name)
        }
        // In frames of a window, as the daemon's channels take them: an alarm's evidence is the
        // window that raised it.
        block.withUnsafeBufferPointer { samples in
            for start in stride(from: 0, to: samples.count, by: Self.frame) {
                let frame = UnsafeBufferPointer(rebasing: samples[start..<min(start + Self.frame, samples.count)])
                let timestamp = Int64(Double(produced) / sampleRate * 1e9)
                produced += frame.count
                channel.process(frame, at: timestamp, operating: operating) { event in
                    guard let line = MaintenanceEvent(event, episodes: &episodes, channel: channel, block: frame, operating: operating) else { return }
                    log.event(line.kind, source: name, line.fields)
                }
            }
        }
    }

    /// No samples for `seconds` is a fault (once, until samples come again).
    mutating func checkSilence(_ log: EventLog, after seconds: Double) {
        let quiet = monotonicSeconds() - lastSamples
        if quiet >= seconds { report("no samples from \(path) for \(format(quiet, 1)) s", log) }
    }

    private mutating func report(_ reason: String, _ log: EventLog) {
        guard fault == nil else { return }
        fault = reason
        log.event("device_fault", source: name) { w in w.key("reason"); w.string(reason) }
    }
}
