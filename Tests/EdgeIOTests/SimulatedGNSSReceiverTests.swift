import Foundation
import NMEAParser
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

    /// Our decoder's view of a drive: one fix and sky view per epoch.
    private func decode(_ text: String) -> [(fix: Fix, sky: SkyView)] {
        struct Collect: NMEAStreamConsumer { var epochs: [(fix: Fix, sky: SkyView)] = []; mutating func epoch(_ fix: Fix, _ sky: SkyView) { epochs.append((fix, sky)) } }
        var stream = NMEAStream()
        var collect = Collect()
        Array(text.utf8).withUnsafeBytes { stream.feed($0, into: &collect) }
        stream.finish(into: &collect)
        return collect.epochs
    }

    /// Every scripted event shows in the decoded epochs, at its time and only then.
    @Test func scriptedEvents() {
        var receiver = SimulatedGNSSReceiver()
        receiver.pause = 0
        receiver.rate = 2
        receiver.events = [.init(start: 10, end: 20, kind: .mode(.rtkFloat)), .init(start: 30, end: 35, kind: .outage),
                           .init(start: 40, end: 40.5, kind: .outlier(metres: 30)), .init(start: 50, end: 55, kind: .hdop(3.5)),
                           .init(start: 60, end: 70, kind: .satellites(5))]
        let epochs = decode(receiver.drive(through: [(22.2710, 113.5767), (22.2740, 113.5800)]))
        #expect(epochs.count == 476) // 475.3 m at 2 m/s, two fixes a second, from the start point on
        for (index, epoch) in epochs.enumerated() {
            let t = Double(index) / 2, fix = epoch.fix
            #expect(fix.quality == ((10..<20).contains(t) ? .rtkFloat : (30..<35).contains(t) ? .invalid : .rtkFixed), "t=\(t)")
            #expect(fix.hasPosition == !(30..<35).contains(t), "t=\(t)")
            #expect(fix.hdop == ((30..<35).contains(t) ? 99.9 : (50..<55).contains(t) ? 3.5 : 0.7), "t=\(t)")
            #expect((fix.satellitesUsedTotal == 5) == (60..<70).contains(t), "t=\(t)")
            #expect(epoch.sky.seenCount(.gps) == 10 && epoch.sky.seenCount(.beidou) == 10 && epoch.sky.seenCount(.galileo) == 6, "t=\(t)")
        }
        // The outlier: 30 m off its neighbours (which are 1 m apart), for one fix.
        func metres(_ a: Fix, _ b: Fix) -> Double {
            let north = (a.latitude! - b.latitude!) * 110_750, east = (a.longitude! - b.longitude!) * 111_320 * cos(22.27 * .pi / 180)
            return (north * north + east * east).squareRoot()
        }
        #expect(abs(metres(epochs[80].fix, epochs[79].fix) - 30) < 2 && metres(epochs[81].fix, epochs[79].fix) < 3)
    }

    /// BeiDou in the 4.11 `GB` style and the older `BD` style without IDs decode to the same
    /// satellites, C33 and above kept BeiDou, the same ones used.
    @Test func editionsAndTalkersAgree() {
        var receiver = SimulatedGNSSReceiver()
        let modern = decode(receiver.drive(through: waypoints))
        receiver.edition = .v40
        receiver.beidouTalker = .bd
        let older = receiver.drive(through: waypoints)
        #expect(older.contains("$BDGSV") && older.contains("$BDGSA") && !older.contains("$GNGSA"))
        let legacy = decode(older)
        #expect(modern.count == legacy.count)
        for (a, b) in zip(modern, legacy) {
            #expect(a.sky.satellites.map(\.id) == b.sky.satellites.map(\.id))
            #expect(a.sky.satellites.filter(\.used).map(\.id) == b.sky.satellites.filter(\.used).map(\.id))
            #expect(a.sky.satellites.contains { $0.id == SatelliteID(system: .beidou, number: 42) })
            #expect(a.fix.satellitesUsed[Int(GNSSSystem.beidou.rawValue)] > 0)
        }
    }

    /// gpsd's own decoder reads every epoch: RTK fixed (status 3), 3D, the positions we drove
    /// through within the noise, and times one second apart.
    @Test(arguments: [SimulatedGNSSReceiver.Edition.v411, .v23]) func gpsdecodeReadsIt(edition: SimulatedGNSSReceiver.Edition) throws {
        var receiver = SimulatedGNSSReceiver()
        receiver.pause = 3
        receiver.edition = edition
        receiver.beidouTalker = edition == .v411 ? .gb : .bd
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
