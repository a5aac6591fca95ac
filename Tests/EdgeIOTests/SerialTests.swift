import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import EdgeIO
import NMEAParser

@Suite("Serial ports over pseudo-terminals")
struct SerialTests {
    @Test func settingsAppliedAndDataBothWays() throws {
        let terminal = try PseudoTerminal()
        let port = try SerialPort(path: terminal.path, settings: SerialSettings(baud: 115_200, parity: .even, stopBits: 2))
        #expect(try port.appliedSpeed() == 115_200)
        try Array("$PAIR050,1000*12\r\n".utf8).withUnsafeBytes { try port.write($0) }
        #expect(String(decoding: terminal.read(timeout: 1), as: UTF8.self) == "$PAIR050,1000*12\r\n")
        try terminal.write(Array("hello\r\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = try buffer.withUnsafeMutableBytes { try port.read(into: $0, timeout: 1) }
        #expect(String(decoding: buffer.prefix(count), as: UTF8.self) == "hello\r\n")
        // Nothing more: a timeout, not an error.
        #expect(try buffer.withUnsafeMutableBytes { try port.read(into: $0, timeout: 0.05) } == 0)
    }

    @Test func unplugIsDetected() throws {
        let terminal = try PseudoTerminal()
        let port = try SerialPort(path: terminal.path, settings: SerialSettings(baud: 9600))
        terminal.hangUp()
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(throws: SerialError.unplugged(path: terminal.path)) { try buffer.withUnsafeMutableBytes { try port.read(into: $0, timeout: 1) } }
    }

    /// A port held by another process gives a clear error naming that process (root included:
    /// an advisory lock, not only TIOCEXCL, which root may override).
    @Test func busyPortNamesItsHolder() throws {
        let terminal = try PseudoTerminal()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import os, fcntl, sys, time
            fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
            fcntl.flock(fd, fcntl.LOCK_EX)
            print("held", flush=True)
            time.sleep(5)
            """, terminal.path]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer {
            // SIGKILL: children of the test runner inherit a mask that blocks SIGTERM.
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        _ = output.fileHandleForReading.availableData // "held"
        do {
            _ = try SerialPort(path: terminal.path, settings: SerialSettings())
            Issue.record("the second open succeeded")
        } catch {
            guard case .busy(let path, let name) = error else { Issue.record("\(error)"); return }
            #expect(path == terminal.path)
            #expect(name == "python3 (pid \(holder.processIdentifier))")
            #expect(error.description.contains("is in use by python3"))
        }
    }

    @Test func clearErrorsForMissingDevicesAndOddSettings() {
        #expect(throws: SerialError.self) { _ = try SerialPort(path: "/dev/ttyNOPE0", settings: SerialSettings()) }
        do {
            _ = try SerialPort(path: "/dev/ttyNOPE0", settings: SerialSettings())
        } catch {
            #expect(error.description.contains("no such device"))
        }
        do {
            _ = try SerialPort(path: "/dev/null", settings: SerialSettings(baud: 12345))
        } catch {
            #expect(error == .unsupportedSettings("12345 baud is not a standard rate (50 ... 921600)"))
        }
    }
}

@Suite("GNSS receiver service")
struct GNSSServiceTests {
    /// The service over a pseudo-terminal gives the same fixes as decoding the same bytes from a
    /// file; it sends the start-up commands; it reports silence; and when the receiver is
    /// unplugged and plugged back in (the symlink re-pointed, as udev does) it reopens.
    @Test func sameFixesAsAFileSilenceAndReplug() async throws {
        var receiver = SimulatedGNSSReceiver()
        receiver.pause = 2
        receiver.noise = 0.2
        let nmea = Array(receiver.drive(through: [(latitude: 22.2710, longitude: 113.5767), (latitude: 22.2711, longitude: 113.5769)]).utf8)
        var expected: [Fix] = []
        do {
            struct Collect: NMEAStreamConsumer { var fixes: [Fix] = []; mutating func epoch(_ fix: Fix, _ sky: SkyView) { fixes.append(fix) } }
            var stream = NMEAStream()
            var collect = Collect()
            nmea.withUnsafeBytes { stream.feed($0, into: &collect) }
            expected = collect.fixes // the last epoch closes only with the next one, as on the wire
        }
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-gnss-\(UUID().uuidString)").path
        var terminal = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: terminal.path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let startup = Array("$PAIR062,0,1*3F\r\n".utf8)
        let service = GNSSReceiverService(path: link, profile: ReceiverProfile(name: "test", settings: SerialSettings(baud: 115_200),
                                                                              startupCommands: [startup], silentAfter: 0.3))
        service.backoff = RestartBackoff(initial: 0.05, maximum: 30)
        var events = service.events().makeAsyncIterator()
        func next(_ description: String) async -> GNSSEvent? {
            let event = await events.next()
            if event == nil { Issue.record("the stream ended waiting for \(description)") }
            return event
        }
        guard case .opened = await next("opened") else { Issue.record("no opened event"); return }
        #expect(terminal.read(timeout: 1) == startup)
        try terminal.write(nmea)
        var fixes: [Fix] = []
        while fixes.count < expected.count {
            guard let event = await next("epochs") else { return }
            if case .epoch(let fix, _) = event { fixes.append(fix) }
        }
        #expect(fixes.map(\.latitude) == expected.map(\.latitude) && fixes.map(\.time) == expected.map(\.time))
        guard case .silent(let seconds) = await next("silent") else { Issue.record("no silence reported"); return }
        #expect(seconds >= 0.3)
        // Unplug, then plug a new device in at the same name.
        terminal.hangUp()
        guard case .unavailable(let reason, _) = await next("unavailable") else { Issue.record("unplug not reported"); return }
        #expect(reason.contains("went away"))
        terminal = try PseudoTerminal()
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: terminal.path)
        var reopened = false
        while !reopened {
            guard let event = await next("reopened") else { return }
            if case .opened = event { reopened = true }
        }
        #expect(terminal.read(timeout: 1) == startup)
        #expect(service.statistics.epochs >= expected.count)
    }

    /// Bytes that give no epoch are a stall, named by what arrives: noise (a wrong baud rate),
    /// then sentences none of which carries the time; the first epoch after a stall resumes.
    @Test func stallsSayWhatArrives() throws {
        let terminal = try PseudoTerminal()
        let service = GNSSReceiverService(path: terminal.path, profile: ReceiverProfile(name: "test", settings: SerialSettings(baud: 115_200),
                                                                                       silentAfter: 0.3))
        let mode = NIOLockedValueBox(0)   // 0: noise, 1: GGA with an advancing time, 2: GSV only, 3: stop
        nonisolated(unsafe) let device = terminal   // written by the feeder alone
        Thread {
            var tick = 0
            while true {
                let bytes: String
                switch mode.withLockedValue({ $0 }) {
                case 0: bytes = String(repeating: "\u{7F}\u{1B}~", count: 20)
                case 1: bytes = withChecksum("GPGGA,\(utc(tenths: tick)),,,,,0,00,99.9,,M,,M,,")
                case 2: bytes = withChecksum("GPGSV,1,1,01,05,40,120,42")
                default: return
                }
                _ = try? device.writeWithoutWaiting(Array(bytes.utf8))
                tick += 1
                usleep(50_000)
            }
        }.start()
        defer { mode.withLockedValue { $0 = 3 } }
        // Each event moves the feeder on: noise until the stall, fixes until an epoch, then GSV.
        var events: [GNSSEvent] = []
        let deadline = monotonicSeconds() + 30
        service.run(shouldStop: { mode.withLockedValue { $0 } == 3 || monotonicSeconds() > deadline }) { event in
            if case .opened = event { return }
            events.append(event)
            switch event {
            case .stalled(_, .noSentence): mode.withLockedValue { $0 = 1 }
            case .epoch: mode.withLockedValue { if $0 == 1 { $0 = 2 } }
            case .stalled(_, .noTimedSentence): mode.withLockedValue { $0 = 3 }
            default: break
            }
        }
        let kinds = events.map { event -> String in
            switch event {
            case .stalled(_, .noSentence(let bytes)): bytes > 0 ? "noise" : "noise of no bytes"
            case .stalled(_, .noTimedSentence(let sentences)): sentences > 0 ? "untimed" : "untimed without sentences"
            case .epoch: "epoch"
            default: "\(event)"
            }
        }
        // Epochs may follow the first: the GGA in flight when the feeder turned to GSV.
        #expect(Array(kinds.prefix(3)) == ["noise", "resumed", "epoch"] && kinds.last == "untimed", "\(kinds)")
        #expect(kinds.dropFirst(3).dropLast().allSatisfy { $0 == "epoch" }, "\(kinds)")
        if case .stalled(let seconds, _) = events.first { #expect(seconds >= 0.3) }
    }
}

/// `hhmmss.ss` for 08:00 plus `tenths` tenths of a second (within the day).
private func utc(tenths: Int) -> String {
    let seconds = 8 * 3600 + tenths / 10 % 57_600
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(two(seconds / 3600))\(two(seconds / 60 % 60))\(two(seconds % 60)).\(tenths % 10)0"
}

/// `$BODY*HH` and CR LF.
private func withChecksum(_ body: String) -> String {
    let sum = body.utf8.reduce(UInt8(0), ^)
    return "$\(body)*\(String(sum >> 4, radix: 16, uppercase: true))\(String(sum & 15, radix: 16, uppercase: true))\r\n"
}
