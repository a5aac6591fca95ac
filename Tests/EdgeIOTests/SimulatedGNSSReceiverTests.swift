import Foundation
import Testing
@testable import EdgeIO

@Suite("Simulated GNSS receiver")
struct SimulatedGNSSReceiverTests {
    let waypoints = [(latitude: 22.2710, longitude: 113.5767), (latitude: 22.2713612, longitude: 113.5778649)]

    /// The same settings give the same bytes; another seed other noise.
    @Test func deterministic() {
        var receiver = SimulatedGNSSReceiver()
        receiver.noise = 0.3
        let first = receiver.drive(through: waypoints), second = receiver.drive(through: waypoints)
        #expect(first == second)
        receiver.seed = 2
        #expect(receiver.drive(through: waypoints) != first)
    }

    /// gpsd's own decoder reads every epoch: RTK fixed (status 3), 3D, the positions we drove
    /// through within the noise, and times one second apart.
    @Test func gpsdecodeReadsIt() throws {
        var receiver = SimulatedGNSSReceiver()
        receiver.pause = 3
        let text = receiver.drive(through: waypoints)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gpsdecode", "-j"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let reports = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["class"] as? String == "TPV" && $0["lat"] != nil }
        let epochs = text.components(separatedBy: "GNGGA").count - 1
        #expect(reports.count >= epochs - 1)
        for report in reports {
            #expect(report["status"] as? Int == 3 && report["mode"] as? Int == 3)
            let lat = report["lat"] as! Double, lon = report["lon"] as! Double
            #expect((22.2709...22.2714).contains(lat) && (113.5766...113.5779).contains(lon))
        }
        #expect((reports.first?["time"] as? String)?.hasPrefix("2026-11-29T02:00:0") == true)
    }
}
