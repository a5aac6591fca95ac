import EdgeIO
import Foundation
import Testing
@testable import EdgeNode

@Suite("Site file and config check")
struct SiteFileTests {
    @Test func shippedSiteLoads() throws {
        let site = try SiteFile.load(repository.appendingPathComponent("devices/site.yaml").path)
        #expect(site.modbus.map(\.name) == ["plc-line3", "meter-t2"])
        #expect(site.gpio.first?.lines.map(\.kind) == [.state, .pulses])
        #expect(site.maintenance.first?.speed == .input(.gpio(board: "gpio", line: "pump_tach")))
        #expect(site.maintenance.first?.operatingState == .modbus(device: "plc-line3", point: "status_running"))
        #expect(site.patrols.first?.route.route.checkpoints.count == 5)
        let check = try runEdgeNode(["config", "check", repository.appendingPathComponent("devices/site.yaml").path, "--json"])
        #expect(check.status == 0, "\(check.err)")
        let summary = try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [String: Any]
        #expect(summary?["modbus_points"] as? Int == 26 && summary?["ok"] as? Bool == true)
    }

    /// A maintenance channel fed from a file or a FIFO reads whole frames in either sample
    /// format, however the writer splits them; a last, short frame is not delivered.
    @Test func fileSourceReadsWholeFrames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let s16 = directory.appendingPathComponent("s16.raw"), f32 = directory.appendingPathComponent("f32.raw")
        try [Int16(16_384), -32_768, 0, 32_767, 1, 2].withUnsafeBytes { Data($0) }.write(to: s16)
        try [Float(1.5), -2.25, 3, 4e-3].withUnsafeBytes { Data($0) }.write(to: f32)
        let cases: [(URL, String, [Float])] = [(s16, "s16le", [0.5, -1, 0, 32_767.0 / 32_768]), (f32, "f32le", [1.5, -2.25, 3, 4e-3])]
        for (file, format, expected) in cases {
            let site = try SiteFile.parse("site: t\nmaintenance:\n  - {name: pump, source: {file: \(file.path), format: \(format)}, "
                                          + "sample_rate: 25600, speed: {nominal_hz: 24.5}}\n", file: directory.appendingPathComponent("site.yaml").path)
            var samples = SampleSource(try #require(site.maintenance.first), frame: 4)
            #expect(try samples.next().get() == expected, "\(format)")
            guard case .failure(.waiting) = samples.next() else { Issue.record("\(format): the short last frame read"); continue }
        }
        // A FIFO written in pieces: the frame is read whole once its last byte comes; until then,
        // and after the writer closes, the source is waiting (never blocked).
        let fifo = directory.appendingPathComponent("samples.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let bytes = [Int16(16_384), -32_768, 0, 32_767].withUnsafeBytes { Array($0) }
        let writer = Thread {
            let descriptor = open(fifo, O_WRONLY)
            for piece in [bytes[0..<3], bytes[3..<5], bytes[5...]] {
                _ = piece.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                usleep(20_000)
            }
            close(descriptor)
        }
        writer.start()
        let site = try SiteFile.parse("site: t\nmaintenance:\n  - {name: pump, source: {file: \(fifo), format: s16le}, "
                                      + "sample_rate: 25600, speed: {nominal_hz: 24.5}}\n", file: directory.appendingPathComponent("site.yaml").path)
        var samples = SampleSource(try #require(site.maintenance.first), frame: 4)
        var waits = 0
        var frame: [Float]?
        while frame == nil && waits < 200 {
            switch samples.next() {
            case .success(let samples): frame = samples
            case .failure(.waiting): waits += 1; usleep(10_000)
            case .failure(.failed(let reason)): Issue.record("\(reason)"); return
            }
        }
        #expect(frame == [0.5, -1, 0, 32_767.0 / 32_768])
        #expect(waits > 0, "the first pieces came after the first read")
        usleep(100_000)
        guard case .failure(.waiting) = samples.next() else { Issue.record("a frame after the writer closed the FIFO"); return }
    }

    /// The shipped site and route, mutated at every byte (a byte dropped, or one of YAML's special
    /// characters put in: flow brackets, a tab, an anchor, an alias, quotes, a second document):
    /// each either loads or stops with an input error that names the file, never a crash.
    @Test func mutatedFilesNeverCrash() throws {
        let insertions = ["{", "[", "\t", "&a ", "*a", "*b ", "\"", ": ", "\n---\n", "- ", "#"]
        for (file, load) in [
            ("devices/site.yaml", { (text: String, path: String) throws(EdgeNodeError) in _ = try SiteFile.parse(text, file: path) }),
            ("devices/routes/zhuhai-plant-north.yaml", { (text: String, path: String) throws(EdgeNodeError) in _ = try RouteFile.parse(text, name: path) }),
        ] {
            let path = repository.appendingPathComponent(file).path
            let original = Array(try String(contentsOfFile: path, encoding: .utf8).utf8)
            var failures = 0, loads = 0
            for (step, position) in original.indices.enumerated() {
                var bytes = original
                let choice = step % (insertions.count + 1)
                if choice == insertions.count {
                    bytes.remove(at: position)
                } else {
                    bytes.insert(contentsOf: Array(insertions[choice].utf8), at: position)
                }
                do throws(EdgeNodeError) {
                    try load(String(decoding: bytes, as: UTF8.self), path)
                    loads += 1
                } catch {
                    failures += 1
                    #expect(error.exitCode == 2 && error.message.contains(".yaml"), "\(file) at \(position): \(error.message)")
                }
            }
            // Both outcomes occur: the mutations are not all harmless, nor all fatal.
            #expect(failures > 0 && loads > 0, "\(file): \(loads) loaded, \(failures) refused")
        }
    }

    /// Each problem stops the check with file:line:column and what was expected (exit 2).
    @Test(arguments: [
        ("modbus:\n  - {name: plc, profile: modbus/nope.yaml}\n", "3:26: no such file:"),
        ("modbus:\n  - {name: plc, profile: modbus/line-plc.yaml, baud: 5}\n", "3:48: unknown key 'baud' in a Modbus device"),
        ("modbus:\n  - {name: plc, profile: modbus/line-plc.yaml, device: /dev/ttyUSB0}\n",
         "3:56: \(repository.path)/devices/modbus/line-plc.yaml is a TCP profile: give host and port, not device"),
        ("modbus:\n  - {name: plc, profile: modbus/line-plc.yaml}\n  - {name: plc, profile: modbus/vfd.yaml}\n",
         "4:12: the name 'plc' is already used at"),
        ("gpio:\n  - {name: g, chip: simulated, lines: [{name: tach, line: 3, kind: pulses}]}\n"
            + "maintenance:\n  - {name: pump, source: {simulated: healthy}, sample_rate: 25600, speed: {gpio: g.door}}\n",
         "5:82: board 'g' has no line 'door'"),
        ("gpio:\n  - {name: g, chip: simulated, lines: [{name: door, line: 3}]}\n"
            + "maintenance:\n  - {name: pump, source: {simulated: healthy}, sample_rate: 25600, speed: {gpio: g.door}}\n",
         "5:75: g.door is a state line; a speed input is a line of kind: pulses"),
        ("gnss: {profile: receivers/quectel-lc29h.yaml, port: /dev/ttyUSB1}\npatrols:\n  - {route: routes/zhuhai-plant-north.yaml}\n",
         "4:13: checkpoint 'pump-house-3' of"),
        ("maintenance:\n  - {name: pump, source: {simulated: cracked}, sample_rate: 25600, speed: {nominal_hz: 24.5}}\n",
         "3:38: expected a simulated machine: one of ball, cage, healthy, inner_race, outer_race"),
        ("site: again\n", "2:1: 'site' is given twice in a site (first at 1:1)"),
        ("modbus:\n  - {name: plc\n", "4:1: did not find expected ',' or '}' (while parsing a flow mapping at 3:5)"),
        ("outputs: {keep: &few 3, rotate_bytes: *few}\n", "2:39: rotate_bytes is at least 4096, not 3"),
    ]) func problemsNameTheirPlace(body: String, message: String) throws {
        let file = repository.appendingPathComponent("devices/site-test-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try ("site: test\n" + body).write(to: file, atomically: true, encoding: .utf8)
        let result = try runEdgeNode(["config", "check", file.path])
        #expect(result.status == 2)
        let parts = message.split(separator: ":", maxSplits: 2)
        #expect(result.err.hasPrefix("edge-node: \(file.path):\(parts[0]):\(parts[1]):\(parts[2])"), "\(result.err)")
    }
}
