import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite("vibration analyze")
struct VibrationCommandTests {
    @Test(.enabled(if: MFPT.shouldRun, "../shared/data/bearing/mfpt is absent (CC BY-NC-SA: not in the repository)"))
    func diagnosesAnMFPTRecordAsJSON() throws {
        let record = MFPT.directory.appendingPathComponent("OuterRaceFault_vload_3.f32")
        try #require(FileManager.default.fileExists(atPath: record.path), "\(record.path) is absent: CI needs the MFPT records in ../shared/data")
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: plot) }
        let result = try runEdgeNode(["vibration", "analyze", record.path, "--rate", "48828", "--shaft-hz", "25",
                                      "--bearing", "n=8,d=0.235,D=1.245,angle=0", "--json", "--plot", plot.path])
        #expect(result.status == 0, "\(result.err)")
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as! [String: Any]
        #expect(object["verdict"] as? String == "outer_race")
        let evidence = try #require(object["evidence"] as? [[String: Any]])
        let fundamental = try #require(evidence.first { $0["line"] as? String == "1x BPFO" })
        #expect((80.0...80.7).contains(fundamental["frequency_hz"] as! Double))
        #expect(["A", "B", "C", "D"].contains(object["iso_zone"] as? String))
        let features = try #require(object["features"] as? [String: Double])
        #expect(features["kurtosis"]! > 3)
        // The plot is well-formed SVG with both spectra.
        let svg = try String(contentsOf: plot, encoding: .utf8)
        let document = try XMLDocument(data: Data(svg.utf8))
        #expect(document.rootElement()?.name == "svg")
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("BPFO"))
    }

    @Test func csvWithAHeaderAndAClearErrorOnABadLine() throws {
        let directory = FileManager.default.temporaryDirectory
        let good = directory.appendingPathComponent("edge-node-\(UUID().uuidString).csv")
        let bad = directory.appendingPathComponent("edge-node-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: good); try? FileManager.default.removeItem(at: bad) }
        let values = (0..<8192).map { String(format: "%.6f,0", sin(Double($0) * 0.3)) }
        try (["acceleration,unused"] + values).joined(separator: "\n").write(to: good, atomically: true, encoding: .utf8)
        let analysed = try runEdgeNode(["vibration", "analyze", good.path, "--format", "csv", "--rate", "5000", "--units", "m/s2", "--json"])
        #expect(analysed.status == 0, "\(analysed.err)")
        let object = try JSONSerialization.jsonObject(with: Data(analysed.out.utf8)) as! [String: Any]
        #expect(object["verdict"] as? String == "none" && object["samples"] as? Int == 8192)
        try (["acceleration"] + values.prefix(10) + ["oops"] + values.suffix(5000)).joined(separator: "\n").write(to: bad, atomically: true, encoding: .utf8)
        let failed = try runEdgeNode(["vibration", "analyze", bad.path, "--format", "csv", "--rate", "5000"])
        #expect(failed.status == 2)
        #expect(failed.err == "edge-node: \(bad.path):12: expected a number in the first column, found 'oops'\n")
    }

    @Test func inputErrorsExitWithTwoAndSayWhatIsExpected() throws {
        let bearing = try runEdgeNode(["vibration", "analyze", "/dev/null", "--rate", "1000", "--bearing", "n=8,d=2"])
        #expect(bearing.status == 2)
        #expect(bearing.err.contains("--bearing needs n"))
        let short = try runEdgeNode(["vibration", "analyze", "/dev/null", "--rate", "1000"])
        #expect(short.status == 2 && short.err.contains("needs at least 4096"))
        let usage = try runEdgeNode(["vibration", "analyze", "/dev/null", "--rate=-5"])
        #expect(usage.status == 2 && usage.err.contains("--rate must be a sample rate from 50 to 10000000 Hz, found -5.0"))
    }
}
