import EdgeIO
import Foundation
import Synchronization
import Testing
@testable import EdgeNode
import PredictiveMaintenance

/// No value or byte from a device, a file or the command line crashes edge-node: the four
/// crashes a fuzz found, as tests, and the daemon run through a simulator and a receiver that
/// send the extremes of every type.
/// Checksum-valid sentences, each within the framer's length limit, whose numbers are out of
/// any range (20 to 30 digits, signs where none belong, a pole, the antimeridian).
private func extremeSentences(time: String) -> [String] {
    [
        "GNGGA,\(time),8959.9999999,N,17959.9999999,W,4,99,99.9,99999999999999999999,M,-99999999999,M,99999,4095",
        "GNRMC,\(time),A,8959.99999999,S,17959.99999999,E,999999999999999999999999999999,359.99,311226,180.0,W,R",
        "GNGST,\(time),99999999999999999999,9999999999999999,9999999999999999,-99999999,9999999999,99999999,9999999",
        "GNGSA,A,3,01,02,03,04,05,06,07,08,09,10,11,12,99999999999999999999,99999999999999999999,99999999999999999999,4",
        "GBGSV,1,1,04,201,90,360,99,202,-90,-1,0,263,9999999999,9999999999,9999999999,264,,,,1",
        "GNVTG,99999999999999999999,T,-99999999999999999999,M,99999999999999999999,N,99999999999999999999,K,A",
        "GNZDA,\(time),31,12,99999,-13,-99",
    ]
}

@Suite("Robustness")
struct RobustnessTests {
    /// Checksum-valid sentences whose numbers are out of any range: `nmea decode` (table and
    /// gpsd JSON) prints them and exits 0, every line of its JSON parses.
    @Test func hugeNumbersInSentencesDecode() throws {
        let input = extremeSentences(time: "120000.00").map(sentence).joined()
        for json in [false, true] {
            let result = try runEdgeNode(["nmea", "decode", "-"] + (json ? ["--json"] : []), stdin: Data(input.utf8))
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out.contains("100000000000000000000.0"), "\(result.out)")
            if json {
                for line in result.out.split(separator: "\n") {
                    #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
                }
            }
        }
    }

    /// A sample rate too low for the velocity band, and a shaft speed that is not a number: a
    /// usage error naming the option (exit 2), not a trap.
    @Test(arguments: [(["--rate", "1"], "--rate must be a sample rate from 50 to 10000000 Hz"),
                      (["--rate", "1e12", "--shaft-hz", "nan"], "--rate must be a sample rate"),
                      (["--rate", "48828", "--shaft-hz", "nan"], "--shaft-hz must be a speed above 0"),
                      (["--rate", "48828", "--shaft-hz", "inf"], "--shaft-hz must be a speed above 0"),
                      (["--rate", "nan"], "--rate must be a sample rate"),
                      (["--rate", "48828", "--scale", "inf"], "--scale must be a finite number"),
                      (["--rate", "48828", "--shaft-hz", "25", "--bearing", "n=99999999999999999999,d=1,D=2"], "--bearing needs n (3 to 1000 elements)")])
    func vibrationArgumentsOutOfRange(arguments: [String], message: String) throws {
        let directory = try scratchDirectory("edge-node-vibration-args")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("noise.f32")
        try Data(count: 4 * 8192).write(to: file)
        let result = try runEdgeNode(["vibration", "analyze", file.path] + arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.err.contains(message), "\(result.err)")
    }

    /// A low sample rate (below 2 kHz: no band above the lowest kilohertz) with a bearing: a
    /// verdict, not a trap (found by make fuzz).
    @Test func lowSampleRateWithABearing() throws {
        let samples = (0..<8192).map { Float(sin(Double($0) * 0.3)) }
        let analysis = try VibrationCommands.analyze(samples: samples, named: "slow.f32", settings: {
            var options = RecordingAnalysis.Settings(sampleRate: 636)
            options.shaftHz = 10
            options.bearing = BearingGeometry(rollingElements: 8, elementDiameter: 0.235, pitchDiameter: 1.245)
            return options
        }())
        #expect(analysis.diagnosis != nil)
    }

    /// A recording with a NaN sample is refused with the sample's index.
    @Test func nonFiniteSampleIsNamed() throws {
        var samples = [Float](repeating: 0.01, count: 8192)
        samples[4000] = .nan
        #expect(throws: EdgeNodeError.self) {
            try VibrationCommands.analyze(samples: samples, named: "pump.f32", settings: .init(sampleRate: 25_600))
        }
        do {
            _ = try VibrationCommands.analyze(samples: samples, named: "pump.f32", settings: .init(sampleRate: 25_600))
        } catch {
            #expect(error.message == "pump.f32: sample 4000 is nan; the analysis needs finite numbers")
        }
    }

    /// Every type in every word order at its extremes (±FLT_MAX, NaN, ±inf, denormals, integer
    /// minimum and maximum, invalid UTF-8), a float32 near FLT_MAX with a deadband, and a receiver
    /// sending checksum-valid sentences with numbers out of range: the daemon stays up, every line
    /// of its event log and /status parses as JSON, and the non-finite points are bad with a reason.
    @Test func daemonThroughExtremes() throws {
        let directory = try scratchDirectory("edge-node-chaos")
        defer { try? FileManager.default.removeItem(at: directory) }
        var points: [String] = []
        var address = 0
        for type in ["int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string:4"] {
            for order in WordOrder.allCases {
                points.append("{name: \(type.replacingOccurrences(of: ":", with: ""))_\(order.rawValue), table: holding, address: \(address), type: \(type), order: \(order.rawValue), group: fast, \(type.hasPrefix("string") ? "" : "deadband: 0.5, ")simulate: {extremes: {interval: 0.3}}}")
                address += ModbusValueType(name: type)!.registerCount
            }
        }
        points.append("{name: near_flt_max, table: input, address: \(address), type: float32, group: fast, deadband: 1.0, simulate: {sine: {mean: 0, amplitude: 3.0e38, period: 2}}}")
        points.append("{name: status_bit, table: input, address: \(address + 2), type: 'bit:15', group: fast, simulate: {extremes: {interval: 0.3}}}")
        points.append("{name: trip, table: coil, address: 0, group: fast, simulate: {extremes: {interval: 0.3}}}")
        let profile = directory.appendingPathComponent("extremes.yaml")
        try """
            device: extremes
            bus:
              tcp: {host: 127.0.0.1, port: 502}
            poll_groups:
              fast: {period: 0.1}
            units:
              - id: 1
                name: chaos
                points:
            \(points.map { "      - " + $0 }.joined(separator: "\n"))
            """.write(to: profile, atomically: true, encoding: .utf8)
        let simulator = try RunningSimulator(try ModbusProfileFile.load(profile.path))
        let terminal = try PseudoTerminal()
        let route = try writeYardRoute(in: directory)
        let site = directory.appendingPathComponent("site.yaml")
        try """
            site: chaos-test
            modbus:
              - {name: chaos, profile: \(profile.path), port: \(simulator.port)}
            gnss: {profile: \(repository.path)/devices/receivers/quectel-lc29h.yaml, port: \(terminal.path)}
            patrols:
              - {route: \(route.path)}
            outputs: {directory: \(directory.path)/out}
            status: {listen: 127.0.0.1:0}
            """.write(to: site, atomically: true, encoding: .utf8)
        nonisolated(unsafe) let device = terminal   // written by the feeder alone
        let stop = StopFlag()
        Thread {
            var tick = 0
            while !stop.isSet {
                let time = String(format: "12%02d%02d.%d0", tick / 600 % 60, tick / 10 % 60, tick % 10)
                for text in extremeSentences(time: time) { _ = try? device.writeWithoutWaiting(Array(sentence(text).utf8)) }
                tick += 1
                usleep(100_000)
            }
        }.start()
        defer { stop.set() }
        let daemon = try JournaledDaemon(site, in: directory)
        let log = directory.appendingPathComponent("out/events.jsonl").path
        func badPoints() -> Set<String> {
            Set(events(log).filter { $0["event"] as? String == "point_quality" && ($0["quality"] as? String)?.hasPrefix("bad: not a finite number") == true }
                .compactMap { $0["source"] as? String })
        }
        let nonFinite = Set(WordOrder.allCases.flatMap { ["chaos.float32_\($0.rawValue)", "chaos.float64_\($0.rawValue)"] })
        waitFor(20, "every float point bad as not a finite number") { nonFinite.isSubset(of: badPoints()) }
        waitFor(10, "a receiver epoch") { events(log).contains { $0["event"] as? String == "device_up" && $0["source"] as? String == "gnss" } }
        let port = try #require(daemon.journalText.firstMatch(of: /status on http:\/\/127\.0\.0\.1:([0-9]+)\//).flatMap { Int($0.1) })
        for _ in 0..<5 {
            let status = try httpGet(port: port, path: "/status")
            #expect((try? JSONSerialization.jsonObject(with: Data(status.utf8))) != nil, "/status is not JSON: \(status.prefix(500))")
            _ = try httpGet(port: port, path: "/metrics")
            usleep(300_000)
        }
        #expect(daemon.process.isRunning, "\(daemon.journalText.suffix(2000))")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 50)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] != nil, "not JSON: \(line)")
        }
        // Integers at their extremes are finite: good, their values exact in the log.
        let changed = events(log).filter { $0["event"] as? String == "point_changed" }.compactMap { $0["source"] as? String }
        #expect(changed.contains("chaos.int64_ABCD") && changed.contains("chaos.uint64_DCBA") && changed.contains("chaos.near_flt_max"), "\(Set(changed))")
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0, "\(daemon.journalText.suffix(2000))")
    }
}
