import Foundation
import Testing

/// Runs the built `edge-node` binary and returns exit code, stdout and stderr.
func runEdgeNode(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/edge-node")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The permissively licensed recordings in the repository (see Tests/Fixtures/README.md).
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

/// The full path of `name` in a directory of PATH; nil when none has it.
func executableOnPath(_ name: String) -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// The MFPT bearing records, read in place from ../shared/data (CC BY-NC-SA: never copied into
/// the repository). Their tests are skipped where the folder is absent, and fail under `CI`.
enum MFPT {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/bearing/mfpt")
    /// Where the records are, and always under CI (where their absence fails).
    static let shouldRun = FileManager.default.fileExists(atPath: directory.path) || ProcessInfo.processInfo.environment["CI"] != nil
}

@Suite("Command line")
struct CommandLineTests {
    /// The binary links FoundationEssentials but not Foundation, whose ICU was 36 MB of the
    /// installed binary's 65.
    @Test func linksNoFoundationNorICU() throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/edge-node")
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [binary.path]
        let out = Pipe()
        ldd.standardOutput = out
        try ldd.run()
        let libraries = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        #expect(libraries.contains("libFoundationEssentials.so"), "\(libraries)")
        for name in ["libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"] {
            #expect(!libraries.contains(name), "\(name) linked: \(libraries)")
        }
    }

    @Test(arguments: [["--help"], ["nmea", "--help"], ["nmea", "decode", "--help"], ["nmea", "stats", "--help"], ["demo", "--help"],
                            ["vibration", "--help"], ["vibration", "analyze", "--help"], ["patrol", "check", "--help"],
                            ["patrol", "replay", "--help"], ["geodesic", "inverse", "--help"], ["geodesic", "direct", "--help"],
                            ["gnss", "watch", "--help"], ["simulate", "gnss", "--help"], ["simulate", "gpio", "--help"],
                            ["simulate", "modbus", "--help"], ["run", "--help"], ["status", "--help"], ["doctor", "--help"], ["config", "check", "--help"],
                            ["gpio", "list", "--help"], ["gpio", "get", "--help"], ["gpio", "set", "--help"], ["gpio", "watch", "--help"],
                            ["serial", "list", "--help"], ["modbus", "read", "--help"], ["modbus", "write", "--help"],
                            ["modbus", "decode", "--help"], ["modbus", "scan", "--help"], ["modbus", "poll", "--help"]])
    func helpTeachesWithExamples(_ arguments: [String]) throws {
        let result = try runEdgeNode(arguments)
        #expect(result.status == 0)
        #expect(result.out.contains("USAGE"))
        // Every command that does something shows how (groups list their subcommands instead).
        if arguments.count > 2 || ["run", "status", "doctor", "demo"].contains(arguments[0]) { #expect(result.out.contains("Example"), "\(arguments)") }
    }

    @Test func topLevelHelpHasExamples() throws {
        #expect(try runEdgeNode(["--help"]).out.contains("Examples"))
    }

    @Test func demoTourDecodesTheEmbeddedCapture() throws {
        let result = try runEdgeNode(["demo", "--tour"])
        #expect(result.status == 0)
        #expect(result.out.contains("RTK fixed"))
        #expect(result.out.contains("epochs                12"))
        // Then the simulated pump: its outer-race defect is found.
        #expect(result.out.contains("verdict: outer race"))
        // Then the patrol of the simulated rover: every checkpoint visited, the hot motor flagged.
        #expect(result.out.contains("visited 5, missed 0, skipped 0, uncertain 0"))
        #expect(result.out.contains("plc-line3.motor_temperature = 91.50 (OUT OF RANGE)"))
    }

    /// `edge-node demo`: the daemon on the twins until the patrol is done and the pump's alarm
    /// came, a live line a second, then the report with the patrol, the map and the spectra.
    @Test func liveDemoEndsWithAReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runEdgeNode(["demo", "--directory", directory.path])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("patrol 5/5 (warehouse-door visited)") && $0.contains("ALARM") }, "\(result.out)")
        #expect(lines.last == "report: \(directory.path)/report.html")
        let html = try String(contentsOfFile: directory.appendingPathComponent("report.html").path, encoding: .utf8)
        #expect(html.components(separatedBy: "class=\"visited\">visited").count - 1 == 5)
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)
        #expect(html.components(separatedBy: "<td>maintenance_alarm</td>").count - 1 == 1)
        // The event log has the kinds it had before the data plane (point events from a subscriber
        // instead of the Modbus unit), and its milestones in the same order.
        let text = try String(contentsOfFile: directory.appendingPathComponent("events.jsonl").path, encoding: .utf8)
        let events = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let kinds = Set(events.compactMap { $0["event"] as? String })
        #expect(kinds == ["daemon_ready", "device_up", "geometry_trusted", "point_changed", "arrived", "checkpoint", "baseline_learnt",
                          "maintenance_alarm", "geometry_unknown", "state", "summary", "daemon_stopped"], "\(kinds)")
        let milestones = events.filter { !["point_changed", "point_quality", "state"].contains($0["event"] as? String) }
            .map { "\($0["event"] ?? "?") \($0["checkpoint"] ?? $0["source"] ?? "-")" }
        #expect(milestones == ["daemon_ready edge-node", "device_up gnss", "geometry_trusted -", "arrived gate", "checkpoint gate",
                               "baseline_learnt pump-p101-de", "maintenance_alarm pump-p101-de", "arrived pump-house-3", "checkpoint pump-house-3",
                               "geometry_unknown -", "geometry_trusted -", "arrived transformer-T2",
                               "checkpoint transformer-T2", "geometry_unknown -", "geometry_trusted -",
                               "arrived cooling-tower", "checkpoint cooling-tower", "arrived warehouse-door", "checkpoint warehouse-door",
                               "summary -", "daemon_stopped edge-node"], "\(milestones)")
    }

    @Test func missingFileIsAnInputError() throws {
        let result = try runEdgeNode(["nmea", "stats", "/nonexistent/capture.log"])
        #expect(result.status == 2)
        #expect(result.err.hasPrefix("edge-node: cannot open /nonexistent/capture.log"))
    }

    @Test func statusWithoutADaemonSaysSo() throws {
        let result = try runEdgeNode(["status", "--url", "127.0.0.1:1"])
        #expect(result.status == 1 && result.err.contains("no daemon answers on 127.0.0.1:1"), "\(result.err)")
        #expect(try runEdgeNode(["status", "--url", "localhost"]).status == 2)
    }

    /// Under systemd (JOURNAL_STREAM set) an error line carries its syslog priority, so that the
    /// journal files it as an error; elsewhere it is plain.
    @Test func errorsCarryTheirPriorityForTheJournal() throws {
        let missing = "/nonexistent-\(getpid()).yaml"
        let journal = try runEdgeNode(["run", "--site", missing], environment: ["JOURNAL_STREAM": "8:1234"])
        #expect(journal.status == 2 && journal.err == "<3>edge-node: cannot open \(missing): No such file or directory\n", "\(journal.err)")
        let terminal = try runEdgeNode(["run", "--site", missing])
        #expect(terminal.err == "edge-node: cannot open \(missing): No such file or directory\n", "\(terminal.err)")
    }

    @Test func badOptionIsAUsageError() throws {
        #expect(try runEdgeNode(["nmea", "decode", "--max-length", "3"]).status == 2)
        let result = try runEdgeNode(["nmea", "decode", "--no-such-flag"])
        #expect(result.status == 2 && result.err.contains("Unknown option '--no-such-flag'"))
    }

    /// A sentence that does not decode is skipped and named with its line; after ten, only counted.
    @Test func undecodableSentencesAreNamedByLine() throws {
        let good = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"
        let badTime = "$GPGGA,12x519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,\r\n"
        let input = Data(("noise\r\n" + good + badTime + "$GPRMC,1,2\r\n" + String(repeating: badTime, count: 10)).utf8)
        for arguments in [["nmea", "decode", "-"], ["nmea", "decode", "--json", "-"]] {
            let result = try runEdgeNode(arguments, stdin: input)
            #expect(result.status == 0)
            let lines = result.err.split(separator: "\n")
            #expect(lines.count == 11, "\(result.err)")
            #expect(lines.first == "-:3: GPGGA field 1: expected a time hhmmss[.sss]")
            #expect(lines.dropFirst().first == "-:4: GPRMC field 3: too few fields")
            #expect(lines.dropFirst(9).first == "-:12: GPGGA field 1: expected a time hhmmss[.sss]")
            let summary = "-: 12 sentences did not decode (the first 10 listed); 5 bytes discarded (garbage 5)"
            #expect(lines.last.map(String.init) == summary)
        }
        // `nmea stats` reads a file again for the first failure's line and address; a pipe gives its offset.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("undecodable-\(getpid()).nmea")
        try input.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let stats = try runEdgeNode(["nmea", "stats", file.path])
        #expect(stats.out.contains("decode errors         12 (the first on line 3: GPGGA field 1: expected a time hhmmss[.sss])"), "\(stats.out)")
        let piped = try runEdgeNode(["nmea", "stats", "-"], stdin: input)
        #expect(piped.out.contains("decode errors         12 (the first at byte 74: field 1: expected a time hhmmss[.sss])"), "\(piped.out)")
        for (arguments, line) in [(["nmea", "stats", "--json", file.path], 3 as Int?), (["nmea", "stats", "--json", "-"], nil)] {
            let json = try runEdgeNode(arguments, stdin: input)
            let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
            let first = try #require(object["first_decode_error"] as? [String: Any])
            #expect(first["line"] as? Int == line && (line != nil || first["line"] is NSNull))
            #expect(first["address"] as? String == (line == nil ? nil : "GPGGA") && (line != nil || first["address"] is NSNull))
            #expect(first["byte"] as? Int == 74)
            #expect(first["field"] as? Int == 1 && first["error"] as? String == "expected a time hhmmss[.sss]")
        }
        let clean = try runEdgeNode(["nmea", "decode", "-"], stdin: Data(good.utf8))
        #expect(clean.err.isEmpty, "\(clean.err)")
    }

    /// Line numbers hold across the 64 KiB reads, for a sentence cut by one and after blank lines.
    @Test func undecodableSentencesAreNamedByLineAcrossReads() throws {
        let good = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"
        let badTime = "$GPGGA,12x519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,\r\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("across-reads-\(getpid()).nmea")
        defer { try? FileManager.default.removeItem(at: file) }
        var text = "", line = 1
        var expected: [String] = []
        for boundary in [65_536, 131_072] {
            while text.utf8.count + good.utf8.count <= boundary - 20 { text += good; line += 1 }
            while text.utf8.count < boundary - 20 { text += "\r\n"; line += 1 }
            expected.append("\(file.path):\(line): GPGGA field 1: expected a time hhmmss[.sss]")
            text += badTime
            line += 1
        }
        text += good
        try Data(text.utf8).write(to: file)
        let result = try runEdgeNode(["nmea", "decode", "--json", file.path])
        let lines = result.err.split(separator: "\n").map(String.init)
        #expect(Array(lines.dropLast()) == expected, "\(result.err)")
        #expect(lines.last?.hasPrefix("\(file.path): 2 sentences did not decode;") == true)
    }

    @Test func statsJSONFromStandardInput() throws {
        let input = Data("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n".utf8)
        let result = try runEdgeNode(["nmea", "stats", "--json", "-"], stdin: input)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
        #expect(object["sentences"] as? Int == 1)
        #expect((object["by_address"] as? [String: Int])?["GPGGA"] == 1)
        #expect(object["epochs"] as? Int == 1)
        #expect(object["first_decode_error"] is NSNull)
    }
}

@Suite("gpsdecode, run live")
struct GpsdecodeLiveTests {
    /// gpsd's own decoder on the same captures: every 2D/3D position gpsdecode reports is one of our epochs'.
    @Test(arguments: ["beidou-bd", "beidou-gb", "nmea-rtk", "quectelLC79D-1", "skytraq", "ublox-zed-f9p-nmea"])
    func positionsAgreeWithGpsdecode(_ name: String) throws {
        let log = fixtures.appendingPathComponent("nmea/gpsd/\(name).log")
        let gpsdecode = try #require(executableOnPath("gpsdecode"), "gpsdecode is not on PATH: make test installs it (Debian's gpsd-clients)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gpsdecode)
        process.arguments = ["-j"]
        process.standardInput = try FileHandle(forReadingFrom: log)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var theirs = Set<String>()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  object["class"] as? String == "TPV", (object["mode"] as? Int ?? 0) >= 2,
                  let lat = object["lat"] as? Double, let lon = object["lon"] as? Double else { continue }
            theirs.insert(String(format: "%.7f %.7f", lat, lon))
        }
        let ours = try runEdgeNode(["nmea", "decode", "--json", log.path])
        var mine = Set<String>()
        for line in ours.out.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["class"] as? String == "TPV", let lat = object["lat"] as? Double, let lon = object["lon"] as? Double else { continue }
            mine.insert(String(format: "%.7f %.7f", lat, lon))
        }
        #expect(theirs.isEmpty == mine.isEmpty, "a fix on one side only")
        #expect(theirs.subtracting(mine).isEmpty, "positions gpsdecode reports that we do not: \(theirs.subtracting(mine).prefix(3))")
    }
}
