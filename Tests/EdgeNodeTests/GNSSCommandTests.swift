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
                               "--link", link, "--pace", "0.05"]
        let announced = Pipe()
        simulator.standardOutput = announced
        try simulator.run()
        defer {
            simulator.terminate()
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
    }

    @Test func watchingAMissingPortRetriesAndStops() throws {
        let result = try runEdgeNode(["gnss", "watch", "--profile", repository.appendingPathComponent("devices/receivers/quectel-lc79d.yaml").path,
                                      "--port", "/dev/ttyNOPE9", "--json", "--seconds", "1"])
        #expect(result.status == 0)
        let events = result.out.split(whereSeparator: \.isNewline).map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.count >= 2 && events.allSatisfy { $0["event"] as? String == "unavailable" })
        #expect((events[1]["retry_in"] as? Double) == 1.0) // backoff doubles
    }
}
