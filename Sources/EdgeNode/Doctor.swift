import JSONText
import EdgeIO
import FoundationEssentials
import Glibc
import NMEAParser

/// `edge-node doctor`: checks every configured device and the host, and says how to fix what fails.
public enum Doctor {
    public struct Finding: Sendable, Equatable {
        public enum Status: String, Sendable { case ok, warn, fail }
        public var check: String
        public var status: Status
        public var detail: String
        /// What to do about it (empty when ok).
        public var remedy: String
    }

    /// Runs the checks; `receiverSeconds` bounds how long the GNSS receiver is listened to.
    public static func examine(_ site: Site, receiverSeconds: Double = 3) -> [Finding] {
        var findings: [Finding] = []
        for device in site.modbus { findings.append(checkModbus(device)) }
        var serialPaths: [(String, String)] = site.modbus.compactMap {
            if case .rtu(let path, _) = $0.profile.transport { return ($0.name, path) } else { return nil }
        }
        if let gnss = site.gnss { serialPaths.append(("gnss", gnss.port)) }
        for (name, path) in serialPaths { findings.append(checkSerial(name, path)) }
        if let gnss = site.gnss, findings.last?.status != .fail { findings.append(checkReceiver(gnss, seconds: receiverSeconds)) }
        for board in site.gpio { findings.append(checkGPIO(board)) }
        for channel in site.maintenance {
            if case .file(let path, _) = channel.source { findings.append(checkSampleSource(channel.name, path)) }
        }
        findings.append(checkServiceGroups())
        findings.append(checkClock())
        findings.append(checkDisk(site.outputDirectory))
        findings.append(checkUnit())
        return findings
    }

    /// What `systemd/edge-node.service` grants the daemon: its supplementary groups and the
    /// device classes of its DeviceAllow= lines (a test keeps these in step with the unit).
    static let serviceGroups = ["dialout", "gpio"]
    static let allowedDeviceClasses = ["ttyS", "ttyUSB", "ttyACM", "ttyAMA", "gpiochip"]

    /// Whether the service could open a device node: its class allowed by the unit, and read and
    /// write for one of the service's groups. Nil when it can, else the problem and its remedy.
    /// Pseudo-terminals (the twins') are the caller's own and not checked.
    static func serviceAccessProblem(_ path: String) -> (detail: String, remedy: String)? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if real.hasPrefix("/dev/pts/") { return nil }
        let name = URL(fileURLWithPath: real).lastPathComponent
        var info = stat()
        guard stat(real, &info) == 0 else { return ("cannot read \(real): \(String(cString: strerror(errno)))", "check the path") }
        let kernelClass = String(name.prefix { !$0.isNumber })
        guard allowedDeviceClasses.contains(kernelClass) else {
            return ("the unit's DeviceAllow= has no rule for \(name)",
                    "add one in a drop-in: systemctl edit edge-node, then [Service] DeviceAllow=\(real) rw")
        }
        let group = getgrgid(info.st_gid).map { String(cString: $0.pointee.gr_name) } ?? "\(info.st_gid)"
        guard serviceGroups.contains(group), info.st_mode & 0o060 == 0o060 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            let wanted = kernelClass == "gpiochip" ? "gpio" : "dialout"
            let match = kernelClass == "gpiochip" ? "SUBSYSTEM==\"gpio\", KERNEL==\"gpiochip*\"" : "KERNEL==\"\(name)\""
            return ("\(real) is group \(group), mode \(mode): the service (groups \(serviceGroups.joined(separator: ", "))) cannot open it",
                    "give it to \(wanted) with a udev rule: echo '\(match), GROUP=\"\(wanted)\", MODE=\"0660\"' > /etc/udev/rules.d/60-edge-node.rules; udevadm trigger")
        }
        return nil
    }

    private static func checkModbus(_ device: Site.ModbusDevice) -> Finding {
        let check = "modbus \(device.name)"
        guard let unit = device.profile.units.first, let point = unit.points.first else {
            return Finding(check: check, status: .warn, detail: "no points", remedy: "add points to \(device.profilePath)")
        }
        let start = monotonicSeconds()
        do {
            let client = try ModbusClient(device.profile.transport, timeout: .milliseconds(Int64(device.profile.timeout * 1000)))
            _ = try client.read(point.table, unit: unit.id, address: point.address, count: point.count)
            let milliseconds = (monotonicSeconds() - start) * 1000
            return Finding(check: check, status: .ok, detail: "\(device.profile.transport) unit \(unit.id) answers in \(format(milliseconds, 1)) ms", remedy: "")
        } catch {
            let remedy: String = switch error {
            case .connection: "check the cable or network and the address in \(device.profilePath) (or the site's host/port); try: edge-node modbus scan"
            case .timeout: "the device is silent: check the unit id (\(unit.id)), baud and parity for RTU, or a gateway in between; try: edge-node modbus scan"
            case .exception(.illegalDataAddress): "the device has no \(point.table.rawValue) \(point.address): check the profile's addressing (protocol, one-based, modicon)"
            default: "compare the profile with the device's manual; try: edge-node modbus read with the same settings"
            }
            return Finding(check: check, status: .fail, detail: "\(error)", remedy: remedy)
        }
    }

    private static func checkSerial(_ name: String, _ path: String) -> Finding {
        let check = "serial \(name)"
        guard FileManager.default.fileExists(atPath: path) else {
            return Finding(check: check, status: .fail, detail: "\(path) does not exist",
                           remedy: "plug the adapter in and find its stable name: edge-node serial list (use /dev/serial/by-id/...)")
        }
        if let problem = serviceAccessProblem(path) { return Finding(check: check, status: .fail, detail: problem.detail, remedy: problem.remedy) }
        let info = SerialPortInfo(path: path)
        if let holder = info?.holder {
            return Finding(check: check, status: .fail, detail: "\(path) is in use by \(holder)", remedy: "stop \(holder) (gpsd, ModemManager and terminal programs take ports)")
        }
        return Finding(check: check, status: .ok, detail: "\(path) present and free" + (info?.driver.map { " (\($0))" } ?? ""), remedy: "")
    }

    private static func checkReceiver(_ receiver: Site.Receiver, seconds: Double) -> Finding {
        let check = "gnss receiver"
        let service = GNSSReceiverService(path: receiver.port, profile: receiver.profile)
        let deadline = monotonicSeconds() + seconds
        var best: Fix?, epochs = 0, failure: String?, lastSky: SkyView?
        service.run(shouldStop: { monotonicSeconds() >= deadline }) { event in
            switch event {
            case .epoch(let fix, let sky):
                epochs += 1
                lastSky = sky
                if best == nil || fix.quality > best!.quality { best = fix }
            case .unavailable(let reason, _): failure = reason
            default: break
            }
        }
        guard epochs > 0, let best else {
            if let failure { return Finding(check: check, status: .fail, detail: failure, remedy: "check the port: edge-node serial list") }
            guard let stall = service.stall else {
                return Finding(check: check, status: .fail, detail: "no bytes from \(receiver.port) in \(format(seconds, 1)) s",
                               remedy: "check the receiver's power and its TX wire to the gateway's RX, and that \(receiver.port) is its port: edge-node serial list")
            }
            return Finding(check: check, status: .fail, detail: "\(stall.detail(port: receiver.port)) in \(format(seconds, 1)) s",
                           remedy: stall.remedy(receiver.profile, path: receiver.profilePath))
        }
        guard best.quality != .invalid else {
            let seen = lastSky.map { sky in GNSSSystem.allCases.reduce(0) { $0 + sky.seenCount($1) } } ?? 0
            return Finding(check: check, status: .warn, detail: "\(epochs) epochs, no fix, \(seen) satellites in view",
                           remedy: "check the antenna: a clear sky view, its cable and connector; a cold start takes up to a minute")
        }
        let good = best.quality == .rtkFixed || best.quality == .rtkFloat
        return Finding(check: check, status: good ? .ok : .warn,
                       detail: "\(epochs) epochs, best fix \(best.quality), \(best.satellitesUsedTotal) satellites used",
                       remedy: good ? "" : "patrols want RTK: check the correction stream (NTRIP or radio) and the antenna's sky view")
    }

    private static func checkGPIO(_ board: Site.GPIOBoard) -> Finding {
        let check = "gpio \(board.name)"
        do {
            let (chip, _) = try PlantGPIOScenario.openChip(board.chip)
            let names = Set(chip.lines().compactMap(\.name))
            for line in board.lines {
                if case .name(let name) = line.line, !names.contains(name) {
                    return Finding(check: check, status: .fail, detail: "\(chip.name) has no line '\(name)'", remedy: "list the lines: edge-node gpio list --chip \(board.chip)")
                }
            }
            if board.chip != PlantGPIOScenario.chipName, let problem = serviceAccessProblem("/dev/\(chip.name)") {
                return Finding(check: check, status: .fail, detail: problem.detail, remedy: problem.remedy)
            }
            return Finding(check: check, status: .ok, detail: "\(chip.name) [\(chip.label)], \(board.lines.count) lines", remedy: "")
        } catch {
            return Finding(check: check, status: .fail, detail: error.description, remedy: "see the chips there are: edge-node gpio list")
        }
    }

    /// The unit's supplementary groups exist (systemd refuses to start it otherwise, status 216/GROUP).
    private static func checkServiceGroups() -> Finding {
        let missing = serviceGroups.filter { getgrnam($0) == nil }
        guard missing.isEmpty else {
            return Finding(check: "service groups", status: .fail, detail: "no group \(missing.joined(separator: ", ")): the unit would not start",
                           remedy: missing.map { "groupadd --system \($0)" }.joined(separator: "; ") + " (make install does this)")
        }
        return Finding(check: "service groups", status: .ok, detail: serviceGroups.joined(separator: ", ") + " exist", remedy: "")
    }

    /// The edge-node unit: installed, running, how often restarted.
    private static func checkUnit() -> Finding {
        guard FileManager.default.fileExists(atPath: "/run/systemd/system") else {
            return Finding(check: "unit", status: .warn, detail: "systemd is not running here (a container?)", remedy: "run the daemon by hand: edge-node run")
        }
        let output = command("systemctl", ["show", "edge-node.service", "--property=LoadState,ActiveState,SubState,NRestarts,Result"])
        return unitFinding(output ?? "")
    }

    /// The finding for `systemctl show`'s `Key=value` lines.
    static func unitFinding(_ show: String) -> Finding {
        let properties = Dictionary(show.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }, uniquingKeysWith: { $1 })
        let restarts = properties["NRestarts"] ?? "0"
        switch (properties["LoadState"], properties["ActiveState"]) {
        case ("loaded", "active"):
            return Finding(check: "unit", status: restarts == "0" ? .ok : .warn, detail: "edge-node.service \(properties["SubState"] ?? "active"), \(restarts) restarts",
                           remedy: restarts == "0" ? "" : "it has been restarting: journalctl -u edge-node -e")
        case ("loaded", let state?):
            return Finding(check: "unit", status: .fail, detail: "edge-node.service \(state) (\(properties["SubState"] ?? "?"), result \(properties["Result"] ?? "?"), \(restarts) restarts)",
                           remedy: "see why: journalctl -u edge-node -e; start it: systemctl enable --now edge-node")
        default:
            return Finding(check: "unit", status: .warn, detail: "edge-node.service is not installed", remedy: "make install, then systemctl enable --now edge-node")
        }
    }

    /// A command's standard output (trimmed), nil when it cannot run or fails; its standard
    /// error is discarded.
    static func command(_ name: String, _ arguments: [String]) -> String? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        let argv = (["env", name] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child = pid_t()
        let spawned = posix_spawn(&child, "/usr/bin/env", &actions, nil, argv, environ)
        close(ends[1])
        defer { close(ends[0]) }
        guard spawned == 0 else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(ends[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer.prefix(count)
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        // 0: exited, with status 0.
        return status == 0 ? String(decoding: output, as: UTF8.self).trimmingSpaces : nil
    }

    private static func checkClock() -> Finding {
        switch command("timedatectl", ["show", "--property=NTPSynchronized", "--value"]) {
        case "yes": return Finding(check: "clock", status: .ok, detail: "synchronised (timedatectl)", remedy: "")
        case "no": return Finding(check: "clock", status: .warn, detail: "not synchronised",
                                  remedy: "enable time synchronisation: timedatectl set-ntp true (or chrony, with GNSS time through gpsd)")
        default: return Finding(check: "clock", status: .warn, detail: "cannot tell (no systemd here)", remedy: "check the time source by hand: chronyc tracking")
        }
    }

    /// A vibration channel's file or FIFO: there, and readable (its contents are left to the daemon).
    static func checkSampleSource(_ name: String, _ path: String) -> Finding {
        let check = "vibration \(name)"
        var info = stat()
        guard stat(path, &info) == 0 else {
            return Finding(check: check, status: .fail, detail: "\(path): \(String(cString: strerror(errno)))",
                           remedy: "start the program that writes the samples, or correct source.file in the site file")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFIFO || kind == S_IFREG else {
            return Finding(check: check, status: .fail, detail: "\(path) is neither a file nor a FIFO", remedy: "point source.file at the samples")
        }
        guard access(path, R_OK) == 0 else {
            return Finding(check: check, status: .fail, detail: "\(path): \(String(cString: strerror(errno)))",
                           remedy: "let the service read it (its group, or the file's mode)")
        }
        return Finding(check: check, status: .ok, detail: kind == S_IFIFO ? "\(path): a FIFO" : "\(path): a file of \(info.st_size) bytes", remedy: "")
    }

    private static func checkDisk(_ directory: String) -> Finding {
        var path = directory
        while !FileManager.default.fileExists(atPath: path) && path != "/" && !path.isEmpty { path = directoryName(of: path) }
        if path.isEmpty { path = "." }
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return Finding(check: "disk", status: .warn, detail: "cannot read \(path)", remedy: "") }
        let free = Double(stats.f_bavail) * Double(stats.f_frsize) / 1_048_576
        return Finding(check: "disk", status: free >= 100 ? .ok : .warn, detail: "\(Int(free)) MiB free under \(path)",
                       remedy: free >= 100 ? "" : "free space, or lower the site's rotate_bytes and keep")
    }

    /// The findings as a table (or JSON), each failure with its remedy.
    public static func render(_ findings: [Finding], json: Bool) -> String {
        if json {
            var w = JSONWriter()
            w.raw("[")
            for (index, finding) in findings.enumerated() {
                if index > 0 { w.raw(",") }
                w.raw("{\"check\":"); w.string(finding.check); w.key("status"); w.string(finding.status.rawValue)
                w.key("detail"); w.string(finding.detail); w.key("remedy"); w.string(finding.remedy); w.raw("}")
            }
            w.raw("]\n")
            return String(decoding: w.bytes, as: UTF8.self)
        }
        var text = "check".padding(22) + "status  detail\n"
        for finding in findings {
            text += finding.check.padding(22) + finding.status.rawValue.uppercased().padding(8) + finding.detail + "\n"
            if !finding.remedy.isEmpty { text += String(repeating: " ", count: 30) + "-> " + finding.remedy + "\n" }
        }
        let failed = findings.filter { $0.status == .fail }.count
        return text + (failed == 0 ? "all checks passed\n" : "\(failed) check\(failed == 1 ? "" : "s") failed\n")
    }
}
