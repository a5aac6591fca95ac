import EdgeIO
import Foundation
import NIOConcurrencyHelpers
import Synchronization
import Testing
@testable import EdgeNode

@Suite("The daemon, end to end against the twins")
struct DaemonTests {
    /// A datagram listener standing in for systemd's notify socket, drained by a thread of its
    /// own as systemd drains it (the queue holds ten datagrams).
    final class NotifyListener: @unchecked Sendable {
        let path: String
        private let socket: Int32
        private let received = NIOLockedValueBox<[String]>([])
        private let stopped = Atomic(false)

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString)").path
            socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw EdgeNodeError.runtime("bind \(path)") }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !stopped.load(ordering: .relaxed) {
                    let count = recv(socket, &buffer, buffer.count, 0)
                    if count > 0 { received.withLockedValue { $0.append(String(decoding: buffer.prefix(count), as: UTF8.self)) } }
                }
            }.start()
        }

        /// Every message so far, in order.
        var messages: [String] { received.withLockedValue { $0 } }

        func stop() {
            stopped.store(true, ordering: .relaxed)
            usleep(200_000)
            close(socket)
            unlink(path)
        }
    }

    /// A full patrol with readings at its checkpoints; a PLC that dies and comes back (its values
    /// go bad, then good, the daemon stays up); sd_notify READY, STATUS and watchdog keep-alives at
    /// the configured rate, STOPPING at the end; SIGHUP applies a changed site file (restarting
    /// only what changed, a restarted receiver resuming the patrol) and reports a broken one;
    /// SIGTERM stops it with every record flushed, none lost or duplicated.
    @Test func patrolFaultsNotifyAndShutdown() throws {
        let directory = try scratchDirectory("edge-node-daemon")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plcProfile = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path)
        let meterProfile = try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/energy-meter.yaml").path)
        var plc: RunningSimulator? = try RunningSimulator(plcProfile)
        let plcPort = plc!.port
        let meter = try RunningSimulator(meterProfile)
        let devices = repository.appendingPathComponent("devices").path
        let link = directory.appendingPathComponent("gnss").path
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: daemon-test
            modbus:
              - {name: plc-line3, profile: \(devices)/modbus/line-plc.yaml, port: \(plcPort)}
              - {name: meter-t2, profile: \(devices)/modbus/energy-meter.yaml, port: \(meter.port)}
            gpio:
              - name: gpio
                chip: simulated
                lines:
                  - {name: warehouse_door_closed, line: door_closed, kind: state}
                  - {name: pump_tach, line: pump_tach, kind: pulses}
            gnss: {profile: \(devices)/receivers/quectel-lc29h.yaml, port: \(link)}
            patrols:
              - {route: \(devices)/routes/zhuhai-plant-north.yaml}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:0}
            """.write(to: site, atomically: true, encoding: .utf8)
        // The receiver first (its pseudo-terminal must exist when the daemon opens the port), fast
        // enough for a short test, slow enough that the daemon sees the fixes at the gate.
        let receiver = try ChildProcess(repository.appendingPathComponent(".build/debug/edge-node").path,
                                        ["simulate", "gnss", "--route", "\(devices)/routes/zhuhai-plant-north.yaml", "--pty", "--link", link,
                                         "--time-scale", "20"])
        let notify = try NotifyListener()
        let daemon = Process()
        daemon.executableURL = repository.appendingPathComponent(".build/debug/edge-node")
        daemon.arguments = ["run", "--site", site.path]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        environment["WATCHDOG_USEC"] = "400000"   // keep-alives every 0.2 s
        environment.removeValue(forKey: "WATCHDOG_PID")
        daemon.environment = environment
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() } }
        defer { notify.stop() }
        waitFor(5, "READY=1") { notify.messages.contains { $0.hasPrefix("READY=1") } }
        let log = directory.appendingPathComponent("out/events.jsonl").path
        waitFor(40, "five checkpoint outcomes") { events(log).filter { $0["event"] as? String == "checkpoint" }.count == 5 }
        withExtendedLifetime(receiver) {}
        let outcomes = events(log).filter { $0["event"] as? String == "checkpoint" }
        #expect(outcomes.map { $0["checkpoint"] as? String } == ["gate", "pump-house-3", "transformer-T2", "cooling-tower", "warehouse-door"])
        #expect(outcomes.allSatisfy { $0["verdict"] as? String == "visited" }, "\(outcomes.map { $0["verdict"] ?? "" })")
        let pumpHouse = outcomes[1]["readings"] as? [[String: Any]] ?? []
        #expect(pumpHouse.map { $0["point"] as? String } == ["plc-line3.discharge_pressure", "plc-line3.motor_temperature"])
        #expect(pumpHouse.allSatisfy { $0["quality"] as? String == "good" })
        #expect(((outcomes[4]["readings"] as? [[String: Any]])?.first?["value"] as? Double) != nil)

        // The PLC goes away: its points go bad, the rest carries on; it comes back: good again.
        plc?.stop()
        plc = nil
        waitFor(10, "the PLC's points going bad") {
            events(log).contains { $0["event"] as? String == "point_quality" && ($0["source"] as? String)?.hasPrefix("plc-line3.") == true
                && ($0["quality"] as? String)?.hasPrefix("bad") == true }
        }
        plc = try RunningSimulator(plcProfile, port: plcPort)
        waitFor(15, "the PLC's points good again") {
            events(log).contains { $0["event"] as? String == "point_quality" && $0["source"] as? String == "plc-line3.line_speed" && $0["quality"] as? String == "good" }
        }
        #expect(daemon.isRunning)

        // The status endpoint: every device with its health, the points, the counters; Prometheus metrics.
        let port = try #require(events(log).first { $0["event"] as? String == "status_listening" }?["port"] as? Int)
        func status() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(httpGet(port: port, path: "/status").utf8)) as? [String: Any])
        }
        func health() -> [String: String] {
            Dictionary(uniqueKeysWithValues: ((try? status())?["devices"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0["health"] as! String) })
        }
        // Every poll group of the PLC has to read again before the device is whole.
        waitFor(15, "the PLC healthy again") { health()["plc-line3"] == "good" }
        let status = try status()
        let health = health()
        #expect(health["plc-line3"] == "good" && health["meter-t2"] == "good" && health["gpio"] == "good", "\(health)")
        let patrol = (status["patrols"] as? [[String: Any]])?.first
        #expect(patrol?["route"] as? String == "zhuhai-plant-north" && patrol?["state"] as? String == "complete"
                && patrol?["visited"] as? Int == 5 && patrol?["checkpoints"] as? Int == 5, "\(String(describing: patrol))")
        #expect(((status["points"] as? [String: Any])?["plc-line3.speed_setpoint"] as? [String: Any])?["value"] as? Double == 120)
        // What a technician sees: edge-node status on the same endpoint.
        let technician = try runEdgeNode(["status", "--url", "127.0.0.1:\(port)"])
        #expect(technician.status == 0 && technician.out.contains("site daemon-test, up "), "\(technician.err)")
        #expect(technician.out.contains("patrol   zhuhai-plant-north") && technician.out.contains("complete: visited 5, missed 0, uncertain 0 of 5"),
                "\(technician.out)")
        #expect(technician.out.contains("device   plc-line3") && technician.out.contains("counters "))
        let metrics = try httpGet(port: port, path: "/metrics")
        #expect(metrics.contains("edge_node_modbus_requests_total ") && metrics.contains("edge_node_points{quality=\"good\"}"), "\(metrics)")

        // The receiver's pseudo-terminal closes when its drive ends; a new one at the same name is
        // opened again (as after unplugging a USB receiver and plugging it back in).
        waitFor(15, "the receiver gone") { events(log).contains { $0["event"] as? String == "device_fault" && $0["source"] as? String == "gnss" } }
        let whileGone = try #require(try JSONSerialization.jsonObject(with: Data(try httpGet(port: port, path: "/status").utf8)) as? [String: Any])
        let receiverHealth = (whileGone["devices"] as? [[String: Any]])?.first { $0["name"] as? String == "gnss" }?["health"] as? String
        #expect(receiverHealth == "down", "the status report shows the receiver gone: \(receiverHealth ?? "nil")")
        let again = try ChildProcess(repository.appendingPathComponent(".build/debug/edge-node").path,
                                     ["simulate", "gnss", "--route", "\(devices)/routes/zhuhai-plant-north.yaml", "--pty", "--link", link])
        waitFor(15, "the receiver reopened") { events(log).filter { $0["event"] as? String == "device_up" && $0["source"] as? String == "gnss" }.count >= 2 }
        withExtendedLifetime(again) {}

        // SIGHUP with a broken file: reported with its position, the running site goes on.
        let original = try String(contentsOf: site, encoding: .utf8)
        try original.replacingOccurrences(of: "kind: pulses", with: "kind: pulse").write(to: site, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        waitFor(5, "reload_failed") { events(log).contains { $0["event"] as? String == "reload_failed" } }
        let failure = events(log).first { $0["event"] as? String == "reload_failed" }?["reason"] as? String ?? ""
        #expect(failure.hasPrefix("\(site.path):10:") && failure.contains("pulse"), "\(failure)")
        // SIGHUP with the tachometer line gone: the GPIO board restarts without it; the PLC, the
        // meter and the receiver with the patrol run on untouched.
        let receiverOpenings = events(log).filter { $0["event"] as? String == "device_up" && $0["source"] as? String == "gnss" }.count
        let withoutTachometer = original.replacingOccurrences(of: "      - {name: pump_tach, line: pump_tach, kind: pulses}\n", with: "")
        try withoutTachometer.write(to: site, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        waitFor(5, "site_reloaded") { events(log).contains { $0["event"] as? String == "site_reloaded" } }
        let reload = try #require(events(log).first { $0["event"] as? String == "site_reloaded" })
        #expect(reload["restarted"] as? [String] == ["gpio"] && reload["started"] as? [String] == [] && reload["stopped"] as? [String] == [])
        #expect(reload["unchanged"] as? [String] == ["plc-line3", "meter-t2", "gnss"], "\(reload)")
        waitFor(5, "the door state back after the restart") {
            let points = (try? JSONSerialization.jsonObject(with: Data((try? httpGet(port: port, path: "/status"))?.utf8 ?? "".utf8)) as? [String: Any])?["points"] as? [String: Any]
            return points?["gpio.warehouse_door_closed"] != nil && points?["gpio.pump_tach"] == nil && points?["plc-line3.line_speed"] != nil
        }
        usleep(500_000)
        #expect(events(log).filter { $0["event"] as? String == "device_up" && $0["source"] as? String == "gnss" }.count == receiverOpenings)
        // SIGHUP with another receiver profile: the receiver restarts and the patrol resumes where
        // it was (complete, five visited), so nothing is decided twice.
        try withoutTachometer.replacingOccurrences(of: "quectel-lc29h.yaml", with: "quectel-lc79d.yaml").write(to: site, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        waitFor(5, "the second site_reloaded") { events(log).filter { $0["event"] as? String == "site_reloaded" }.count == 2 }
        #expect(events(log).last { $0["event"] as? String == "site_reloaded" }?["restarted"] as? [String] == ["gnss"])
        waitFor(5, "the receiver reopened by the new unit") {
            events(log).filter { $0["event"] as? String == "device_up" && $0["source"] as? String == "gnss" }.count > receiverOpenings
        }
        let resumed = (try JSONSerialization.jsonObject(with: Data(httpGet(port: port, path: "/status").utf8)) as? [String: Any])?["patrols"] as? [[String: Any]]
        #expect(resumed?.first?["state"] as? String == "complete" && resumed?.first?["visited"] as? Int == 5, "\(String(describing: resumed))")

        // Keep-alives at half the watchdog interval (0.2 s): about five a second.
        let before = notify.messages.filter { $0.hasPrefix("WATCHDOG=1") }.count
        usleep(1_000_000)
        let keepAlives = notify.messages.filter { $0.hasPrefix("WATCHDOG=1") }.count - before
        #expect((4...6).contains(keepAlives), "\(keepAlives) keep-alives in a second")
        #expect(notify.messages.contains("RELOADING=1"))

        kill(daemon.processIdentifier, SIGTERM)
        waitFor(10, "the daemon to exit") { !daemon.isRunning }
        #expect(daemon.terminationStatus == 0)
        #expect(notify.messages.first?.hasPrefix("READY=1\nSTATUS=daemon-test: 4 devices, 1 patrols") == true)
        #expect(notify.messages.last == "STOPPING=1")
        let all = events(log)
        #expect(all.last?["event"] as? String == "daemon_stopped")
        // Every line whole; each checkpoint outcome once.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == all.count)
        #expect(all.filter { $0["event"] as? String == "checkpoint" }.count == 5)
    }

    /// Killed mid-patrol (SIGKILL, as a crash or a power cut would stop it) and started again on
    /// the same outputs: the patrol resumes at its next checkpoint from its journal, every
    /// checkpoint is decided once across the two runs, and the journal is gone once the patrol is
    /// complete, so that the next start begins a new run.
    @Test func patrolResumesAfterAKill() throws {
        let directory = try scratchDirectory("edge-node-resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plc = try RunningSimulator(try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path))
        let meter = try RunningSimulator(try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/energy-meter.yaml").path))
        let devices = repository.appendingPathComponent("devices").path
        let link = directory.appendingPathComponent("gnss").path
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: resume-test
            modbus:
              - {name: plc-line3, profile: \(devices)/modbus/line-plc.yaml, port: \(plc.port)}
              - {name: meter-t2, profile: \(devices)/modbus/energy-meter.yaml, port: \(meter.port)}
            gpio:
              - name: gpio
                chip: simulated
                lines:
                  - {name: warehouse_door_closed, line: door_closed, kind: state}
            gnss: {profile: \(devices)/receivers/quectel-lc29h.yaml, port: \(link)}
            patrols:
              - {route: \(devices)/routes/zhuhai-plant-north.yaml}
            outputs: {directory: \(directory.path)/out}
            """.write(to: site, atomically: true, encoding: .utf8)
        let receiver = try ChildProcess(repository.appendingPathComponent(".build/debug/edge-node").path,
                                        ["simulate", "gnss", "--route", "\(devices)/routes/zhuhai-plant-north.yaml", "--pty", "--link", link,
                                         "--time-scale", "20"])
        let log = directory.appendingPathComponent("out/events.jsonl").path
        let journal = directory.appendingPathComponent("out/patrols/zhuhai-plant-north.json").path
        func outcomes() -> [[String: Any]] { events(log).filter { $0["event"] as? String == "checkpoint" } }
        var daemon: ChildProcess? = try startDaemon(site)
        waitFor(40, "two checkpoint outcomes") { outcomes().count >= 2 }
        daemon = nil   // SIGKILL: no graceful stop, nothing saved at exit
        #expect(FileManager.default.fileExists(atPath: journal))
        daemon = try startDaemon(site)
        waitFor(40, "the patrol to complete") { events(log).contains { $0["event"] as? String == "summary" } }
        withExtendedLifetime((receiver, daemon, plc, meter)) {}
        let resumed = events(log).filter { $0["event"] as? String == "patrol_resumed" }
        #expect(resumed.count == 1 && resumed.first?["next"] as? String == "transformer-T2" && resumed.first?["visited"] as? Int == 2,
                "\(resumed)")
        #expect(outcomes().map { $0["checkpoint"] as? String } == ["gate", "pump-house-3", "transformer-T2", "cooling-tower", "warehouse-door"])
        #expect(outcomes().prefix(2).allSatisfy { $0["verdict"] as? String == "visited" })
        #expect(!FileManager.default.fileExists(atPath: journal), "a complete patrol leaves no journal")
    }

    /// A machine's learnt baseline outlives the process: killed after learning and started again,
    /// the daemon takes the saved baseline up at once (`baseline_restored`, status "active")
    /// instead of learning a new one from however the machine runs now.
    @Test func baselineSurvivesAKill() throws {
        let directory = try scratchDirectory("edge-node-baseline")
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: baseline-test
            maintenance:
              - {name: pump-a, source: {simulated: healthy, speedup: 20}, sample_rate: 25600,
                 bearing: {n: 8, d: 7.94, D: 39.04}, speed: {nominal_hz: 24.5}}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:0}
            """.write(to: site, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("out/events.jsonl").path
        let saved = directory.appendingPathComponent("out/baselines/pump-a.json").path
        func count(_ kind: String) -> Int { events(log).filter { $0["event"] as? String == kind }.count }
        var daemon: ChildProcess? = try startDaemon(site)
        waitFor(20, "the baseline learnt") { count("baseline_learnt") == 1 }
        waitFor(5, "the baseline saved") { FileManager.default.fileExists(atPath: saved) }
        daemon = nil   // SIGKILL
        daemon = try startDaemon(site)
        waitFor(10, "the baseline restored") { count("baseline_restored") == 1 }
        let port = try #require(events(log).last { $0["event"] as? String == "status_listening" }?["port"] as? Int)
        let status = try #require(try JSONSerialization.jsonObject(with: Data(httpGet(port: port, path: "/status").utf8)) as? [String: Any])
        let machine = (status["machines"] as? [[String: Any]])?.first { $0["name"] as? String == "pump-a" }
        #expect(machine?["baseline"] as? String == "active", "\(String(describing: machine))")
        usleep(2_000_000)   // longer than learning took the first time
        withExtendedLifetime(daemon) {}
        #expect(count("baseline_learnt") == 1, "learnt once, in the first run only")
    }

    /// A bearing fault that develops during the run raises exactly one maintenance alarm; the
    /// healthy machine next to it none. (Simulated twenty times faster than real time.)
    @Test func developingFaultRaisesOneAlarm() throws {
        let directory = try scratchDirectory("edge-node-pm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: maintenance-test
            maintenance:
              - {name: pump-a, source: {simulated: outer_race, develops_after: 60, speedup: 20}, sample_rate: 25600,
                 bearing: {n: 8, d: 7.94, D: 39.04}, speed: {nominal_hz: 24.5}}
              - {name: pump-b, source: {simulated: healthy, speedup: 20}, sample_rate: 25600,
                 bearing: {n: 8, d: 7.94, D: 39.04}, speed: {nominal_hz: 24.5}}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:0}
            """.write(to: site, atomically: true, encoding: .utf8)
        let daemon = try startDaemon(site)
        let log = directory.appendingPathComponent("out/events.jsonl").path
        // Learning takes 200 windows (32 s of samples), the fault starts at 60 s and grows for 60.
        waitFor(20, "a maintenance alarm") { events(log).contains { $0["event"] as? String == "maintenance_alarm" } }
        usleep(3_000_000)   // the fault keeps growing: still one alarm
        // The status report shows both machines: the failing one in alarm, the other normal.
        let port = try #require(events(log).first { $0["event"] as? String == "status_listening" }?["port"] as? Int)
        let status = try #require(try JSONSerialization.jsonObject(with: Data(httpGet(port: port, path: "/status").utf8)) as? [String: Any])
        let machines = Dictionary(uniqueKeysWithValues: (status["machines"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
        #expect(machines["pump-a"]?["alarm"] as? String == "alarm" && machines["pump-b"]?["alarm"] as? String == "normal", "\(machines)")
        #expect(machines.values.allSatisfy { $0["baseline"] as? String == "active" && $0["velocity_rms_mm_s"] is Double })
        kill(daemon.process.processIdentifier, SIGTERM)
        waitFor(10, "the daemon to exit") { !daemon.process.isRunning }
        let all = events(log)
        #expect(all.filter { $0["event"] as? String == "baseline_learnt" }.count == 2)
        let alarms = all.filter { $0["event"] as? String == "maintenance_alarm" }
        #expect(alarms.count == 1 && alarms.first?["source"] as? String == "pump-a", "\(alarms)")
        #expect(!all.contains { $0["event"] as? String == "maintenance_cleared" })
    }

    /// Rotation keeps each file under the cap, whole lines only, and the newest files.
    @Test func eventLogRotates() throws {
        let directory = try scratchDirectory("edge-node-log")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.jsonl").path
        let log = try EventLog(path: path, rotateBytes: 4096, keep: 2)
        for index in 0..<1000 { log.append(Array("{\"n\":\(index)}\n".utf8)) }
        log.sync()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["events.jsonl", "events.jsonl.1", "events.jsonl.2"])
        var numbers: [Int] = []
        for name in ["events.jsonl.2", "events.jsonl.1", "events.jsonl"] {
            let text = try String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)
            #expect(text.utf8.count <= 4096 && text.hasSuffix("\n"))
            numbers += text.split(separator: "\n").map { Int($0.dropFirst(5).dropLast())! }
        }
        // The newest lines, in order, none missing between the oldest kept and the last.
        #expect(numbers.last == 999 && numbers == Array(numbers.first!...999))
    }

    /// A log whose writes fail (a symbolic link to /dev/full: every write says "No space left on
    /// device") holds its lines in memory, drops the oldest beyond the hold, and once the file can
    /// be written again (the link gone, a regular file made) writes what it held, in order, before
    /// any new line.
    @Test func eventLogHoldsLinesWhileWritingFails() throws {
        let directory = try scratchDirectory("edge-node-full")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.jsonl").path
        #expect(symlink("/dev/full", path) == 0)
        let log = try EventLog(path: path, rotateBytes: 4096, keep: 2, holdBytes: 100)
        func line(_ index: Int) -> [UInt8] { Array("{\"n\":\(index)}\n".utf8) }   // 8 bytes up to 9, then 9
        for index in 0..<5 { log.append(line(index)) }
        var health = log.health
        #expect(health.failing && health.lastFailure == String(cString: strerror(ENOSPC)))
        #expect(health.heldLines == 5 && health.droppedLines == 0 && health.failedWrites == 5)
        for index in 5..<20 { log.append(line(index)) }
        health = log.health
        #expect(health.heldBytes <= 100 && health.heldLines + health.droppedLines == 20, "\(health)")
        #expect(health.droppedLines == 9, "the hold keeps the newest lines within 100 bytes: 9-19, 98 bytes")
        unlink(path)
        log.retry()   // as the daemon does each second: held lines need not wait for the next one
        health = log.health
        #expect(!health.failing && health.heldLines == 0 && health.droppedLines == 9 && health.failedWrites == 20)
        log.append(line(20))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == (9...20).map { "{\"n\":\($0)}\n" }.joined())
    }

    /// A log file moved away (logrotate) or deleted (`rm` to free space) while open: the next
    /// sync notices and later lines go to a new file at the path, not on into one nobody sees.
    @Test func eventLogStartsAgainWhenItsFileIsMovedOrDeleted() throws {
        let directory = try scratchDirectory("edge-node-moved")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.jsonl").path
        let log = try EventLog(path: path, rotateBytes: 4096, keep: 2)
        log.append(Array("{\"n\":1}\n".utf8))
        log.sync()
        #expect(log.health.restarts == 0)
        #expect(rename(path, path + ".old") == 0)
        log.append(Array("{\"n\":2}\n".utf8))   // before the sync notices: still the moved file
        log.sync()
        log.append(Array("{\"n\":3}\n".utf8))
        #expect(try String(contentsOfFile: path + ".old", encoding: .utf8) == "{\"n\":1}\n{\"n\":2}\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"n\":3}\n")
        #expect(unlink(path) == 0)
        log.sync()
        log.append(Array("{\"n\":4}\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"n\":4}\n")
        #expect(log.health.restarts == 2 && !log.health.failing)
    }

    /// A file size limit reached mid-run (prlimit, as `LimitFSIZE=` or `ulimit -f` would set it):
    /// the daemon is not killed by SIGXFSZ, the log is cut back to its last whole line, the events
    /// are held and the journal says so; once the limit is lifted the held events are written, the
    /// episode is recorded in the log, and at the end every event is there exactly once.
    /// A receiver whose bytes give no epoch (noise, as at a wrong baud rate) is a device fault
    /// that says why and what to do, in the event log, the journal and the status report; its
    /// first epoch brings it back. When it then falls silent, the patrol learns at once that its
    /// positions are stale, not when fixes return.
    @Test func stalledReceiverIsAFaultThatSaysWhy() throws {
        let directory = try scratchDirectory("edge-node-stall")
        defer { try? FileManager.default.removeItem(at: directory) }
        let terminal = try PseudoTerminal()
        let route = try writeYardRoute(in: directory)
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: stall-test
            gnss: {profile: \(repository.path)/devices/receivers/quectel-lc29h.yaml, port: \(terminal.path)}
            patrols:
              - {route: \(route.path)}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:0}
            """.write(to: site, atomically: true, encoding: .utf8)
        let feed = Atomic(0)   // 0: noise, 1: fixes, 2: nothing
        nonisolated(unsafe) let device = terminal   // written by the feeder alone
        let stop = StopFlag()
        Thread {
            var tick = 0
            while !stop.isSet {
                switch feed.load(ordering: .relaxed) {
                case 0: _ = try? device.writeWithoutWaiting(Array(String(repeating: "\u{7F}\u{1B}~", count: 20).utf8))
                case 1:
                    let fix = "GPGGA,0815\(10 + tick / 10 % 50).\(tick % 10)0,2213.6240,N,11334.3531,E,1,12,0.8,12.0,M,-3.0,M,,"
                    _ = try? device.writeWithoutWaiting(Array(sentence(fix).utf8))
                default: break
                }
                tick += 1
                usleep(100_000)
            }
        }.start()
        defer { stop.set() }
        let daemon = try JournaledDaemon(site, in: directory)
        func journalText() -> String { daemon.journalText }
        let log = directory.appendingPathComponent("out/events.jsonl").path
        func faults() -> [[String: Any]] { events(log).filter { $0["event"] as? String == "device_fault" && $0["source"] as? String == "gnss" } }
        waitFor(15, "the stall's device fault") { !faults().isEmpty }
        let fault = try #require(faults().first)
        #expect((fault["reason"] as? String)?.hasSuffix("bytes from \(terminal.path) but no NMEA sentence") == true, "\(fault)")
        #expect((fault["remedy"] as? String)?.hasPrefix("the baud rate is likely wrong (115200 in") == true, "\(fault)")
        #expect(journalText().contains("gnss: no epoch for"))
        let port = try #require(journalText().firstMatch(of: /status on http:\/\/127\.0\.0\.1:([0-9]+)\//).flatMap { Int($0.1) })
        func status() throws -> (receiver: String?, quality: String?, patrol: String?) {
            let report = try #require(try JSONSerialization.jsonObject(with: Data(try httpGet(port: port, path: "/status").utf8)) as? [String: Any])
            let devices = report["devices"] as? [[String: Any]] ?? []
            let point = (report["points"] as? [String: Any])?["gnss.quality"] as? [String: Any]
            return (devices.first { $0["name"] as? String == "gnss" }?["health"] as? String, point?["quality"] as? String,
                    (report["patrols"] as? [[String: Any]])?.first?["state"] as? String)
        }
        let stalled = try status()
        #expect(stalled.receiver == "down" && stalled.quality?.hasPrefix("bad: no epoch for") == true, "\(stalled)")
        // `edge-node status` gives the reason under the device.
        let rendered = try StatusCommand.render(try httpGet(port: port, path: "/status"))
        #expect(rendered.contains("gnss.quality: bad: no epoch for") && rendered.contains("but no NMEA sentence"), "\(rendered)")
        feed.store(1, ordering: .relaxed)
        waitFor(15, "the receiver back") { events(log).contains { $0["event"] as? String == "device_up" && $0["port"] == nil } }
        waitFor(10, "trusted positions") { events(log).contains { $0["event"] as? String == "geometry_trusted" } }
        #expect(try status().receiver == "good" && (try status().patrol) == "under way")
        #expect(faults().count == 1)
        // Silence: the patrol's positions go stale when the receiver is found silent.
        feed.store(2, ordering: .relaxed)
        waitFor(10, "stale positions") { events(log).contains { $0["event"] as? String == "geometry_unknown" } }
        let unknown = try #require(events(log).first { $0["event"] as? String == "geometry_unknown" })
        #expect((unknown["reason"] as? String)?.hasPrefix("stale: no fix for ") == true, "\(unknown)")
        #expect((3.0...6.0).contains(seconds(in: faults().last?["reason"], after: "silent for ") ?? 0), "\(faults())")
        let silent = try status()
        #expect(silent.receiver == "down" && silent.patrol == "waiting for trusted positions", "\(silent)")
    }

    /// A channel whose source is missing, or a FIFO nobody writes, is a device fault naming the
    /// file, not an idle thread: samples written to the FIFO bring it back, and SIGTERM stops the
    /// daemon at once (a reader blocked on the FIFO held it until the 12 s bound before).
    @Test func vibrationSourceThatFailsOrStopsIsAFault() throws {
        let directory = try scratchDirectory("edge-node-fifo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("pump.f32").path, missing = directory.appendingPathComponent("nope.f32").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: fifo-test
            maintenance:
              - {name: pump-fifo, source: {file: \(fifo), format: f32le}, sample_rate: 25600, speed: {nominal_hz: 24.5}}
              - {name: pump-missing, source: {file: \(missing), format: f32le}, sample_rate: 25600, speed: {nominal_hz: 24.5}}
            outputs: {directory: \(directory.path)/out}
            """.write(to: site, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("out/events.jsonl").path
        func events(_ kind: String, from source: String) -> [[String: Any]] {
            EdgeNodeTests.events(log).filter { $0["event"] as? String == kind && $0["source"] as? String == source }
        }
        let daemon = try startDaemon(site)
        waitFor(10, "both faults") { !events("device_fault", from: "pump-fifo").isEmpty && !events("device_fault", from: "pump-missing").isEmpty }
        #expect(events("device_fault", from: "pump-missing").first?["reason"] as? String == "cannot open \(missing): No such file or directory")
        let stopped = events("device_fault", from: "pump-fifo").first?["reason"]
        #expect((3.0...6.0).contains(seconds(in: stopped, after: "no samples from \(fifo) for ") ?? 0), "\(String(describing: stopped))")
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        let frame = [Float](repeating: 0.01, count: 4096)
        for _ in 0..<3 { frame.withUnsafeBytes { writer.write(Data($0)) } }
        waitFor(10, "the FIFO's channel back") { !events("device_up", from: "pump-fifo").isEmpty }
        #expect(events("device_fault", from: "pump-missing").count == 1, "reported once, though opening is retried each second")
        let stopping = monotonicSeconds()
        kill(daemon.process.processIdentifier, SIGTERM)
        waitFor(5, "the daemon to stop") { !daemon.process.isRunning }
        #expect(monotonicSeconds() - stopping < 3)
        try writer.close()
        // doctor says the same before the daemon runs.
        #expect(Doctor.checkSampleSource("pump-fifo", fifo).detail == "\(fifo): a FIFO")
        let absent = Doctor.checkSampleSource("pump-missing", missing)
        #expect(absent.status == .fail && absent.detail == "\(missing): No such file or directory" && absent.remedy.contains("source.file"))
    }

    /// A status port another program holds costs the status endpoint, not the site: the daemon
    /// says so once with the remedy, runs on, and listens as soon as the port is free (before,
    /// it stopped, with exit status 0).
    @Test func statusPortInUseIsRetried() throws {
        let directory = try scratchDirectory("edge-node-port")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A listener on a free loopback port, as another program would hold it.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(holder, raw, length) == 0, listen(holder, 1) == 0, getsockname(holder, raw, &length) == 0 else {
                    throw EdgeNodeError.runtime("cannot hold a port")
                }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: port-test
            maintenance:
              - {name: pump-a, source: {simulated: healthy, speedup: 20}, sample_rate: 25600, speed: {nominal_hz: 24.5}}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:\(port)}
            """.write(to: site, atomically: true, encoding: .utf8)
        let daemon = try JournaledDaemon(site, in: directory)
        func journalText() -> String { daemon.journalText }
        waitFor(10, "the port reported") { journalText().contains("cannot listen on 127.0.0.1:\(port) for /status and /metrics: Address already in use") }
        #expect(journalText().contains("ss -ltnp 'sport = :\(port)'") && journalText().contains("change status.listen in \(site.path)"))
        let log = directory.appendingPathComponent("out/events.jsonl").path
        #expect(events(log).contains { $0["event"] as? String == "status_unavailable" && $0["reason"] as? String == "Address already in use" })
        usleep(1_500_000)
        #expect(daemon.process.isRunning, "the site runs on without its status endpoint")
        close(holder)
        waitFor(40, "the status endpoint") { journalText().contains("status on http://127.0.0.1:\(port)/status") }
        #expect(try httpGet(port: port, path: "/status").contains("\"site\":\"port-test\""))
        #expect(journalText().components(separatedBy: "cannot listen on").count == 2, "said once")
    }

    @Test func eventLogSurvivesAFileSizeLimit() throws {
        let directory = try scratchDirectory("edge-node-fsize")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plc = try RunningSimulator(try ModbusProfileFile.load(repository.appendingPathComponent("devices/modbus/line-plc.yaml").path))
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: full-disk-test
            modbus:
              - {name: plc-line3, profile: \(repository.path)/devices/modbus/line-plc.yaml, port: \(plc.port)}
            gpio:
              - name: gpio
                chip: simulated
                lines:
                  - {name: warehouse_door_closed, line: door_closed, kind: state}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:0}
            """.write(to: site, atomically: true, encoding: .utf8)
        let daemon = try JournaledDaemon(site, in: directory, under: ["/usr/bin/prlimit", "--fsize=700:unlimited"])
        func journalText() -> String { daemon.journalText }
        let log = directory.appendingPathComponent("out/events.jsonl").path
        waitFor(20, "the journal to say the event log cannot be written") { journalText().contains("cannot write \(log): File too large") }
        let cut = try String(contentsOfFile: log, encoding: .utf8)
        #expect(cut.utf8.count <= 700 && cut.hasSuffix("\n"), "only whole lines: \(cut.utf8.count) bytes")
        #expect(events(log).count == cut.split(separator: "\n").count)
        // The status report says so (the port from the journal: its event may be among those held).
        let port = try #require(journalText().firstMatch(of: /status on http:\/\/127\.0\.0\.1:([0-9]+)\//).flatMap { Int($0.1) })
        let report = try httpGet(port: port, path: "/status")
        let eventLog = try #require((try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])?["event_log"] as? [String: Any])
        #expect(eventLog["writing"] as? String == "failing" && eventLog["last_failure"] as? String == "File too large", "\(eventLog)")
        #expect((eventLog["held_lines"] as? Int ?? 0) > 0 && eventLog["dropped_lines"] as? Int == 0)
        #expect(try StatusCommand.render(report).contains("events   \(log) writing fails (File too large): "))

        let lift = Process()
        lift.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        lift.arguments = ["--pid", "\(daemon.process.processIdentifier)", "--fsize=unlimited"]
        try lift.run()
        lift.waitUntilExit()
        waitFor(20, "the event log's recovery") { events(log).contains { $0["event"] as? String == "event_log_recovered" } }
        kill(daemon.process.processIdentifier, SIGTERM)
        waitFor(10, "the daemon to exit") { !daemon.process.isRunning }
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0)
        let all = events(log)
        let recovered = try #require(all.first { $0["event"] as? String == "event_log_recovered" })
        #expect(recovered["reason"] as? String == "File too large" && recovered["dropped"] as? Int == 0)
        #expect((recovered["failed_writes"] as? Int ?? 0) >= 1)
        #expect(journalText().contains("\(log) is written again; 0 events were lost while it failed"))
        // Every line whole, every event there once: the count the daemon gives at its stop, plus that line.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == all.count)
        #expect(all.last?["event"] as? String == "daemon_stopped" && all.last?["events"] as? Int == all.count - 1)
    }
}

@Suite("edge-node doctor")
struct DoctorTests {
    /// How doctor asks the system (timedatectl, systemctl): the output of a command that
    /// succeeds, nothing from one that fails or does not exist, and standard error left out.
    @Test func commandsReportOutputOrNothing() {
        #expect(Doctor.command("sh", ["-c", "echo ' synchronised '; echo noise >&2"]) == "synchronised")
        #expect(Doctor.command("sh", ["-c", "echo partial; exit 3"]) == nil)
        #expect(Doctor.command("no-such-command-\(getpid())", []) == nil)
        #expect(Doctor.command("seq", ["20000"])?.hasSuffix("\n20000") == true, "output longer than one read")
    }

    /// Against the twins: a PLC that answers, one that does not, a receiver that talks, a board
    /// that is there; each failure with its remedy, exit 1.
    @Test func findingsWithRemedies() throws {
        let directory = try scratchDirectory("edge-node-doctor")
        defer { try? FileManager.default.removeItem(at: directory) }
        let devices = repository.appendingPathComponent("devices").path
        let plc = try RunningSimulator(try ModbusProfileFile.load("\(devices)/modbus/line-plc.yaml"))
        let link = directory.appendingPathComponent("gnss").path
        let receiver = try ChildProcess(repository.appendingPathComponent(".build/debug/edge-node").path,
                                        ["simulate", "gnss", "--route", "\(devices)/routes/zhuhai-plant-north.yaml", "--pty", "--link", link, "--time-scale", "5"])
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: doctor-test
            modbus:
              - {name: plc, profile: \(devices)/modbus/line-plc.yaml, port: \(plc.port)}
              - {name: meter, profile: \(devices)/modbus/energy-meter.yaml, port: 1}
            gpio:
              - {name: board, chip: simulated, lines: [{name: door, line: door_closed}]}
            gnss: {profile: \(devices)/receivers/quectel-lc29h.yaml, port: \(link)}
            outputs: {directory: \(directory.path)}
            """.write(to: site, atomically: true, encoding: .utf8)
        let result = try runEdgeNode(["doctor", "--site", site.path, "--receiver-seconds", "1.5", "--json"])
        withExtendedLifetime(receiver) {}
        #expect(result.status == 1)
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]])
        let status = Dictionary(uniqueKeysWithValues: findings.map { ($0["check"]!, $0["status"]!) })
        #expect(status["modbus plc"] == "ok" && status["modbus meter"] == "fail" && status["serial gnss"] == "ok")
        #expect(status["gnss receiver"] == "ok" && status["gpio board"] == "ok" && status["disk"] == "ok", "\(findings)")
        let meter = try #require(findings.first { $0["check"] == "modbus meter" })
        #expect(meter["detail"]!.contains("Connection refused") && meter["remedy"]!.contains("edge-node modbus scan"))
        #expect(findings.first { $0["check"] == "gnss receiver" }?["detail"]?.contains("best fix RTK fixed") == true)
        // The unit's groups: a missing one would stop systemd from starting the unit.
        let groupsMissing = Doctor.serviceGroups.contains { getgrnam($0) == nil }
        #expect(status["service groups"] == (groupsMissing ? "fail" : "ok"))
        #expect(status["unit"] != nil && status["clock"] != nil)
    }

    /// A receiver that gives no epoch is told apart by what arrives: nothing (power, wiring),
    /// bytes but no sentence (the baud rate), sentences without a time (GGA and RMC off); one
    /// without a fix is a warning about the antenna. Each on a pseudo-terminal fed as it would be.
    @Test func receiverWithoutEpochsSaysWhy() throws {
        let directory = try scratchDirectory("edge-node-doctor-receiver")
        defer { try? FileManager.default.removeItem(at: directory) }
        let devices = repository.appendingPathComponent("devices").path
        // What a 9600-baud receiver's NMEA looks like when read at 115200: framing errors, bytes
        // with the high bit set, hardly a '$'.
        let wrongRate: [UInt8] = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 0x80) }
        let skyOnly = Array(sentence("GPGSV,1,1,02,05,40,120,42,12,55,300,38").utf8)
        let noTime = Array(sentence("GPGGA,,,,,,0,00,99.99,,,,,,").utf8)
        // A new time each 100 ms, so epochs close, but no position.
        let noFix: @Sendable (Int) -> [UInt8] = { tick in
            Array((sentence("GPGGA,0815\(10 + tick / 10 % 50).\(tick % 10)0,,,,,0,00,99.9,,M,,M,,") + sentence("GPGSV,1,1,02,05,40,120,,12,55,300,")).utf8)
        }
        let cases: [(feed: @Sendable (Int) -> [UInt8], status: String, detail: String, remedy: String)] = [
            ({ _ in [] }, "fail", "no bytes from", "TX wire"),
            ({ _ in wrongRate }, "fail", "but no NMEA sentence in 1.0 s", "the baud rate is likely wrong (115200 in"),
            ({ _ in skyOnly }, "fail", "but none that carries the time", "switch on GGA or RMC output"),
            ({ _ in noTime }, "fail", "with the time empty or not advancing", "check the antenna"),
            (noFix, "warn", "epochs, no fix, 2 satellites in view", "check the antenna"),
        ]
        for (index, expected) in cases.enumerated() {
            let terminal = try PseudoTerminal()
            let site = directory.appendingPathComponent("site-\(index).yaml")
            try """
                site: doctor-receiver
                gnss: {profile: \(devices)/receivers/quectel-lc29h.yaml, port: \(terminal.path)}
                outputs: {directory: \(directory.path)}
                """.write(to: site, atomically: true, encoding: .utf8)
            let stop = StopFlag()
            nonisolated(unsafe) let device = terminal   // written by the feeder alone
            let feed = expected.feed
            let feeder = Thread {
                var tick = 0
                while !stop.isSet {
                    _ = try? device.writeWithoutWaiting(feed(tick))
                    tick += 1
                    usleep(100_000)
                }
            }
            feeder.start()
            let result = try runEdgeNode(["doctor", "--site", site.path, "--receiver-seconds", "1", "--json"])
            stop.set()
            let findings = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]])
            let receiver = try #require(findings.first { $0["check"] == "gnss receiver" }, "\(findings)")
            #expect(receiver["status"] == expected.status, "\(receiver)")
            #expect(receiver["detail"]?.contains(expected.detail) == true, "\(receiver)")
            #expect(receiver["remedy"]?.contains(expected.remedy) == true, "\(receiver)")
        }
    }

    /// Whether the service could open a device node, on real nodes made with mknod: the class
    /// must be in the unit's DeviceAllow=, the group one of its groups with read and write.
    @Test func serviceAccessToDeviceNodes() throws {
        let directory = try scratchDirectory("edge-node-nodes")
        defer { try? FileManager.default.removeItem(at: directory) }
        var null = stat()
        try #require(stat("/dev/null", &null) == 0)
        func node(_ name: String, group: gid_t, mode: mode_t) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try #require(mknod(path, S_IFCHR | mode, null.st_rdev) == 0, "mknod needs root: \(String(cString: strerror(errno)))")
            try #require(chown(path, 0, group) == 0 && chmod(path, mode) == 0)
            return path
        }
        let dialout = try #require(getgrnam("dialout")?.pointee.gr_gid)
        let rootOnly = try node("ttyUSB7", group: 0, mode: 0o600)
        let problem = try #require(Doctor.serviceAccessProblem(rootOnly))
        #expect(problem.detail.contains("group root, mode 600") && problem.remedy.contains("KERNEL==\"ttyUSB7\", GROUP=\"dialout\", MODE=\"0660\""), "\(problem)")
        let granted = try node("ttyUSB8", group: dialout, mode: 0o660)
        #expect(Doctor.serviceAccessProblem(granted) == nil)
        // Through a stable name, as /dev/serial/by-id gives it.
        let byID = directory.appendingPathComponent("usb-Quectel_LC29H-if00").path
        try FileManager.default.createSymbolicLink(atPath: byID, withDestinationPath: "ttyUSB8")
        #expect(Doctor.serviceAccessProblem(byID) == nil)
        let unlisted = try node("ttyXR0", group: dialout, mode: 0o660)
        #expect(Doctor.serviceAccessProblem(unlisted)?.remedy.contains("DeviceAllow=\(unlisted) rw") == true)
        let chip = try node("gpiochip9", group: 0, mode: 0o600)
        #expect(Doctor.serviceAccessProblem(chip)?.remedy.contains("SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip*\", GROUP=\"gpio\"") == true)
    }

    /// The unit's state from `systemctl show`.
    @Test func unitStates() {
        #expect(Doctor.unitFinding("LoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=0\nResult=success").status == .ok)
        let restarting = Doctor.unitFinding("LoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=3\nResult=success")
        #expect(restarting.status == .warn && restarting.detail.contains("3 restarts"))
        let failed = Doctor.unitFinding("LoadState=loaded\nActiveState=failed\nSubState=failed\nNRestarts=5\nResult=watchdog")
        #expect(failed.status == .fail && failed.detail.contains("result watchdog") && failed.remedy.contains("journalctl -u edge-node"))
        #expect(Doctor.unitFinding("LoadState=not-found\nActiveState=inactive").remedy.hasPrefix("make install"))
    }
}
