import CLiteSupport
import JSONText
import NMEAParser
import PatrolAgent
import PatrolRuntime

/// `run`: the firmware build's daemon loop. The receiver on a serial port feeds the patrol; the
/// events go to a JSON Lines file in the daemon's schema (its device events, and the patrol's run
/// record lines as the daemon writes them). A receiver that falls silent or goes away is a
/// `device_fault`, the patrol's clock moves on without it (positions go stale), and the port is
/// opened again each second; SIGTERM or SIGINT stops the loop.
func run(_ arguments: [String]) throws(LiteError) {
    let options = try Options(arguments, flags: ["--until-complete"],
                              values: ["--route", "--receiver", "--baud", "--events", "--silent-after"])
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
        switch lite_wait_readable(receiver, 200) {
        case 1:
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
        case 0:
            let quiet = monotonicSeconds() - lastByte
            if quiet >= silentAfter { receiverDown("silent for \(format(quiet, 1)) s") }
        default:
            throw .system(port)
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
        w.raw("{\"event\":\""); w.raw(kind); w.raw("\",\"source\":"); w.string(source)
        w.key("utc"); w.timestamp(utcNanoseconds: lite_utc_nanoseconds())
        fields(&w)
        w.raw("}\n")
        write(&w)
    }

    /// Writes the lines in `writer` and empties it.
    func write(_ writer: inout JSONWriter) {
        writer.withBytes { _ = lite_write_all(descriptor, $0.baseAddress, UInt($0.count)) }
        writer.removeAll()
    }
}
