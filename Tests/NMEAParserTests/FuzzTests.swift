import Testing
@testable import NMEAParser

/// A bounded fuzz run inside the test command: random bytes and mutations of real sentences
/// through the whole pipeline. It must never crash or hang, and must account for every byte.
@Suite("Fuzz")
struct FuzzTests {
    static let seeds = [
        "GNGGA,132819.60,4134.49795459,N,09345.03431421,W,4,10,0.9,278.161,M,-31.442,M,6.6,0133",
        "GNRMC,053232.438,A,3114.8789,N,12135.2442,E,0.26,167.42,020315,,,A",
        "GNGSA,A,3,13,12,22,19,08,21,,,,,,,1.22,0.76,0.96,4",
        "GBGSV,3,1,11,201,49,147,44,202,23,250,35,204,35,123,42,213,83,243,,B",
        "GNGNS,053232.438,3114.8789,N,12135.2442,E,ANNA,07,1.2,153.8,8.3,,0000",
        "GNGST,004020.00,198705,,,,2.4,3.5,4.2", "GNZDA,004020.00,12,04,2019,00,00", "GNVTG,,T,,M,0.101,N,0.187,K,A",
        "GNGBS,004019.00,2.4,3.5,4.1,,,,,,", "GNDTM,W84,,0.0,N,0.0,E,0.0,W84", "GPTXT,01,01,02,u-blox ag", "GPHDT,274.07,T",
        "GPGLL,4916.45,N,12311.12,W,225444,A,A", "PSRFEPE,053232.438,A,1.2,5.77,12.97,1.2,180.0",
    ]

    @Test func mutatedSentencesNeverCrash() {
        var random = SplitMix(state: 20261129)
        let alphabet = Array("0123456789.,-+*$!ABCDEFGNPSVWZ\r\n".utf8)
        var stream = NMEAStream(framer: .init(checksumPolicy: .acceptAndFlag))
        var collector = EpochCollector()
        var total = 0
        for _ in 0..<40_000 {
            var bytes = Array(framed(Self.seeds.randomElement(using: &random)!).utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(alphabet.randomElement(using: &random)!, at: index)
                default: bytes[index] = UInt8.random(in: 0...255, using: &random)
                }
                if bytes.isEmpty { bytes = [0x24] }
            }
            total += bytes.count
            bytes.withUnsafeBytes { stream.feed($0, into: &collector) }
        }
        stream.finish(into: &collector)
        #expect(stream.framer.bytesConsumed == total)
        #expect(stream.statistics.decodeErrors > 0)
        #expect(stream.statistics.epochs > 0)
    }

    /// A first sentence with an empty address (`$,1`) is counted, not a crash.
    @Test func emptyAddressFirst() {
        let (_, stream, errors) = epochs(of: "$,1\r\n$,2\r\n" + framed("GPZDA,201530.00,04,07,2002,00,00"))
        #expect(stream.statistics.sentences == 3)
        #expect(stream.statistics.sentencesByAddress.values.sorted() == [1, 2])
        #expect(errors.count == 2)
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix(state: 42)
        var stream = NMEAStream()
        var collector = EpochCollector()
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<500 {
            for index in chunk.indices { chunk[index] = UInt8.random(in: 0...255, using: &random) }
            chunk.withUnsafeBytes { stream.feed($0, into: &collector) }
        }
        stream.finish(into: &collector)
        #expect(stream.framer.bytesConsumed == 500 * 4096)
    }
}
