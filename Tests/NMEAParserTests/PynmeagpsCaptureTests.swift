import Foundation
import Testing
@testable import NMEAParser

@Suite("pynmeagps captures")
struct PynmeagpsCaptureTests {
    func run(_ name: String, policy: NMEAFramer.ChecksumPolicy = .reject) throws -> (NMEAStream, EpochCollector) {
        let url = Fixtures.file("nmea/pynmeagps/\(name)")
        var stream = NMEAStream(framer: .init(checksumPolicy: policy))
        var collector = EpochCollector()
        try Data(contentsOf: url).withUnsafeBytes { stream.feed($0, into: &collector) }
        stream.finish(into: &collector)
        return (stream, collector)
    }

    @Test func nmea411WithHexSignalIDs() throws {
        let (stream, collector) = try run("pygpsdata-nmea4.log")
        #expect(stream.framer.discards.badChecksum == 0)
        #expect(stream.statistics.decodeErrors == 0, "\(collector.errors)")
        let (fix, sky) = collector.epochs[0]
        #expect(fix.quality == .gps && fix.mode == .threeD)
        #expect(fix.satellitesUsed[Int(GNSSSystem.glonass.rawValue)] == 2)
        #expect(sky.satellites.contains { $0.id == SatelliteID(system: .glonass, number: 20) && $0.signalID == 0xB })
        #expect(sky.seenCount(.beidou) == 4)
        #expect(sky.satellites.contains { $0.id == SatelliteID(system: .beidou, number: 40) && $0.signalID == 0xB })
    }

    @Test func badChecksumsAreRejectedOrFlagged() throws {
        let (rejected, _) = try run("pygpsdata-nmeabadck.log")
        let (flagged, _) = try run("pygpsdata-nmeabadck.log", policy: .acceptAndFlag)
        #expect(rejected.framer.discards.badChecksum + rejected.framer.sentencesDelivered == 3)
        #expect(flagged.framer.sentencesDelivered == 3)
        #expect(flagged.statistics.flaggedChecksums == rejected.framer.discards.badChecksum)
    }

    @Test(arguments: ["pygpsdata-nmea2.log", "trimble_nmea.log"])
    func olderAndVendorStreamsDecode(_ name: String) throws {
        let (stream, collector) = try run(name)
        #expect(stream.framer.sentencesDelivered > 5)
        #expect(stream.framer.discards.badChecksum == 0)
        #expect(collector.errors.isEmpty, "\(collector.errors)")
    }
}
