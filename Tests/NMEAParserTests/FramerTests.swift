import Testing
@testable import NMEAParser

@Suite("Framer")
struct FramerTests {
    static let input = framed("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") +
        framed("GBGSV,1,1,01,201,45,120,40") + "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K\r\n" + framed("GNZDA,201530.00,04,07,2002,00,00")

    @Test func everyChunkingGivesTheSameSentences() {
        let bytes = Array(Self.input.utf8)
        let whole = frame(bytes).sentences
        #expect(whole.count == 4)
        for split in 0...bytes.count {
            for second in split...bytes.count where (second - split) % 7 == 0 || second == bytes.count {
                var framer = NMEAFramer()
                var sentences: [String] = []
                for part in [bytes[..<split], bytes[split..<second], bytes[second...]] {
                    framer.feed(part) { sentences.append(String($0.string.dropFirst())) }
                }
                #expect(sentences == whole, "split at \(split), \(second)")
            }
        }
        for size in 1...16 {
            var framer = NMEAFramer()
            var sentences: [String] = []
            var index = 0
            while index < bytes.count {
                framer.feed(bytes[index..<min(index + size, bytes.count)]) { sentences.append(String($0.string.dropFirst())) }
                index += size
            }
            #expect(sentences == whole, "chunks of \(size)")
        }
    }

    @Test func resynchronisesAfterBinaryFramesAndGarbage() {
        let ubx: [UInt8] = [0xB5, 0x62, 0x01, 0x07, 0x5C, 0x00, 0x24, 0x00, 0xFF, 0x0D, 0x0A]
        let input = Array("noise".utf8) + ubx + Array(Self.input.utf8)
        let (sentences, framer) = frame(input)
        #expect(sentences.count == 4)
        // The UBX payload holds a '$' (0x24): it opens a line that the next byte truncates.
        #expect(framer.discards.garbageBytes + framer.discards.truncatedBytes == 5 + ubx.count - 2)
        #expect(framer.discards.truncated == 1)
        #expect(framer.bytesConsumed == input.count)
    }

    @Test func truncatedLineIsCountedAndTheNextSentenceKept() {
        let input = Array(("$GPGGA,123519,4807.0" + Self.input).utf8)
        let (sentences, framer) = frame(input)
        #expect(sentences.count == 4)
        #expect(framer.discards.truncated == 1)
        #expect(framer.discards.truncatedBytes == 20)
    }

    @Test func overlongLineIsDiscardedUnlessTolerated() {
        let long = framed("GPTXT,01,01,02," + String(repeating: "A", count: 100))
        let strict = frame(Array(long.utf8), configuration: .init(maximumLength: 82, lengthTolerance: 0))
        #expect(strict.sentences.isEmpty)
        #expect(strict.framer.discards.tooLong == 1)
        let tolerant = frame(Array(long.utf8), configuration: .init(maximumLength: 82, lengthTolerance: 60))
        #expect(tolerant.sentences.count == 1)
    }

    @Test func checksumPolicy() {
        let bad = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*00\r\n"
        let rejected = frame(Array(bad.utf8))
        #expect(rejected.sentences.isEmpty)
        #expect(rejected.framer.discards.badChecksum == 1)
        var framer = NMEAFramer(configuration: .init(checksumPolicy: .acceptAndFlag))
        var statuses: [NMEASentence.ChecksumStatus] = []
        framer.feed(Array(bad.utf8)) { statuses.append($0.checksum) }
        #expect(statuses == [.mismatch])
        let malformed = frame(Array("$GPGGA,1*Z1\r\n".utf8))
        #expect(malformed.framer.discards.malformedChecksum == 1)
        let lowercase = frame(Array(framed("GPZDA,201530.00,04,07,2002,00,00").lowercased().replacingOccurrences("gpzda", "GPZDA").utf8))
        #expect(lowercase.sentences.count == 1)
    }

    @Test func sentenceWithoutChecksumIsAccepted() {
        var framer = NMEAFramer()
        var statuses: [NMEASentence.ChecksumStatus] = []
        framer.feed(Array("$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K\n".utf8)) { statuses.append($0.checksum) }
        #expect(statuses == [.absent])
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
