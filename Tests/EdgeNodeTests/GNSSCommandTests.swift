import Foundation
import Testing
@testable import EdgeNode
import EdgeIO

@Suite("GNSS receiver profiles and commands")
struct GNSSCommandTests {
    /// Every shipped profile loads; UBX frames and NMEA commands get their checksums.
    @Test func shippedProfilesLoad() throws {
        let directory = repository.appendingPathComponent("devices/receivers")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count == 6)
        for file in files {
            let profile = try ReceiverProfileFile.load(directory.appendingPathComponent(file).path)
            #expect(SerialSettings.isStandardRate(profile.settings.baud), "\(file)")
        }
        let f9p = try ReceiverProfileFile.load(directory.appendingPathComponent("ublox-zed-f9p.yaml").path)
        // UBX-CFG-RATE 200 ms, as u-center writes it.
        #expect(f9p.startupCommands[0] == [0xB5, 0x62, 0x06, 0x08, 0x06, 0x00, 0xC8, 0x00, 0x01, 0x00, 0x01, 0x00, 0xDE, 0x6A])
        #expect(f9p.startupCommands[1] == Array("$PUBX,40,GSV,0,1,0,0,0,0*58\r\n".utf8))
        let lc29h = try ReceiverProfileFile.load(directory.appendingPathComponent("quectel-lc29h.yaml").path)
        #expect(lc29h.startupCommands == [Array("$PAIR050,1000*12\r\n".utf8), Array("$PAIR062,0,1*3F\r\n".utf8)])
    }

    @Test func badProfileNamesFileLineAndColumn() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "receiver: x\nport: {baud: 12345}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: EdgeNodeError.self) { _ = try ReceiverProfileFile.load(file.path) }
        do { _ = try ReceiverProfileFile.load(file.path) } catch {
            #expect(error.message == "\(file.path):2:14: 12345 is not a standard baud rate")
        }
    }

    /// `simulate gnss` on a pseudo-terminal and `gnss watch --json` on its link: the fixes of the
    /// route's first leg come through, RTK fixed, with the profile's start-up commands sent.
    @Test func simulateAndWatch() throws {
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-gnss-\(UUID().uuidString)").path
        let binary = repository.appendingPathComponent(".build/debug/edge-node")
        let simulator = Process()
        simulator.executableURL = binary
        simulator.arguments = ["simulate", "gnss", "--route", repository.appendingPathComponent("devices/routes/zhuhai-plant-north.yaml").path,
                               "--pty", "--link", link, "--time-scale", "20"]
        let announced = Pipe()
        simulator.standardOutput = announced
        try simulator.run()
        defer {
            // SIGKILL: children of the test runner inherit a mask that blocks SIGTERM.
            kill(simulator.processIdentifier, SIGKILL)
            simulator.waitUntilExit()
        }
        let line = String(decoding: announced.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.hasPrefix("simulated rtk_fixed receiver on /dev/pts/"))
        let result = try runEdgeNode(["gnss", "watch", "--profile", repository.appendingPathComponent("devices/receivers/quectel-lc29h.yaml").path,
                                      "--port", link, "--json", "--epochs", "8"])
        #expect(result.status == 0, "\(result.err)")
        let objects = result.out.split(whereSeparator: \.isNewline).map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.first?["event"] as? String == "opened")
        let fixes = objects.filter { $0["class"] as? String == "TPV" }
        #expect(fixes.count == 8)
        for fix in fixes {
            #expect(fix["status"] as? Int == 3 && fix["mode"] as? Int == 3)
            #expect(((fix["lat"] as? Double) ?? 0) > 22.2709 && ((fix["lon"] as? Double) ?? 0) > 113.5766)
        }
        // The table ends with the sky (a bar per satellite, BeiDou C33+ kept BeiDou) and the counts.
        let table = try runEdgeNode(["gnss", "watch", "--profile", repository.appendingPathComponent("devices/receivers/quectel-lc29h.yaml").path,
                                     "--port", link, "--epochs", "3", "--sky-every", "0"])
        let lines = table.out.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("RTK fixed") }.count == 3)
        #expect(lines.contains { $0.hasPrefix("  BeiDou 42 ") && $0.contains("██") && $0.hasSuffix("*") })
        #expect(lines.last?.hasPrefix("sentences GAGSV ") == true && lines.last?.hasSuffix("checksum failures 0, decode errors 0, discarded bytes 0") == true)
    }

    /// `simulate gnss --track` drives a GPX track end to end at the rate asked, the events in
    /// place; a malformed event is a usage error that shows the expected form.
    @Test func simulateATrackToStandardOutput() throws {
        let gpx = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString).gpx")
        defer { try? FileManager.default.removeItem(at: gpx) }
        try """
            <?xml version="1.0"?><gpx version="1.1"><trk><name>yard</name><trkseg>
            <trkpt lat="22.2710" lon="113.5767"></trkpt><trkpt lat="22.2710" lon="113.5777"></trkpt>
            <trkpt lat="22.2719" lon="113.5777"></trkpt></trkseg></trk></gpx>
            """.write(to: gpx, atomically: true, encoding: .utf8)
        let result = try runEdgeNode(["simulate", "gnss", "--track", gpx.path, "--rate", "5", "--time-scale", "0", "--noise", "0",
                                      "--event", "20-30:rtk_float", "--edition", "4.0", "--beidou-talker", "BD"])
        #expect(result.status == 0, "\(result.err)")
        let gga = result.out.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("$GNGGA") }.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        // 103.0 m east then 99.7 m north at 2 m/s, 0.4 m a fix: 506 steps after the start point.
        #expect(gga.count == 507)
        #expect(gga.first?[2] == "2216.26000000" && gga.first?[4] == "11334.60200000")
        #expect(gga.enumerated().allSatisfy { index, fields in fields[6] == ((100..<150).contains(index) ? "5" : "4") })
        #expect(result.out.contains("$BDGSV") && !result.out.contains("$GBGSV"))

        let bad = try runEdgeNode(["simulate", "gnss", "--track", gpx.path, "--event", "20:rtk_flaot"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("--event '20:rtk_flaot': expected START[-END]:KIND[=VALUE]"))
    }

    @Test func watchingAMissingPortRetriesAndStops() throws {
        let result = try runEdgeNode(["gnss", "watch", "--profile", repository.appendingPathComponent("devices/receivers/quectel-lc79d.yaml").path,
                                      "--port", "/dev/ttyNOPE9", "--json", "--seconds", "1"])
        #expect(result.status == 0)
        let events = result.out.split(whereSeparator: \.isNewline).map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.count >= 2 && events.allSatisfy { $0["event"] as? String == "unavailable" })
        #expect((events[1]["retry_in"] as? Double) == 1.0) // backoff doubles
    }

    /// A receiver read at the wrong baud rate: `gnss watch` says that bytes come but no sentence,
    /// and what to do, instead of printing nothing.
    @Test func watchingNoiseSaysWhy() throws {
        let terminal = try PseudoTerminal()
        nonisolated(unsafe) let device = terminal   // written by the feeder alone
        let stop = StopFlag()
        Thread {
            while !stop.isSet {
                _ = try? device.writeWithoutWaiting(Array(String(repeating: "\u{7F}\u{1B}~", count: 20).utf8))
                usleep(100_000)
            }
        }.start()
        defer { stop.set() }
        let profile = repository.appendingPathComponent("devices/receivers/quectel-lc29h.yaml").path
        let json = try runEdgeNode(["gnss", "watch", "--profile", profile, "--port", terminal.path, "--json", "--seconds", "3.6"])
        let events = json.out.split(whereSeparator: \.isNewline).compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let stalled = try #require(events.first { $0["event"] as? String == "stalled" }, "\(json.out)")
        #expect((stalled["detail"] as? String)?.hasSuffix("bytes from \(terminal.path) but no NMEA sentence") == true)
        #expect((stalled["remedy"] as? String)?.hasPrefix("the baud rate is likely wrong (115200 in \(profile)") == true)
        #expect((stalled["seconds"] as? Double ?? 0) >= 3)
    }
}
