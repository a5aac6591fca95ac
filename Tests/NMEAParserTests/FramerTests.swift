import Testing
@testable import NMEAParser

@Suite("Framer")
struct FramerTests {
    static let input = framed("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") +
        framed("GBGSV,1,1,01,201,45,120,40") + "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K\r\n" + framed("GNZDA,201530.00,04,07,2002,00,00")

    @Test func everyChunkingGivesTheSameSentences() {
        let bytes = Array(Self.input.utf8)
        var whole: [String] = []
        var framer = NMEAFramer()
        framer.feed(bytes) { whole.append(placed($0)) }
        #expect(whole.count == 4)
        #expect(whole.map { $0.split(separator: " ")[0] } == ["0", "67", "99", "139"])
        for split in 0...bytes.count {
            for second in split...bytes.count where (second - split) % 7 == 0 || second == bytes.count {
                var framer = NMEAFramer()
                var sentences: [String] = []
                for part in [bytes[..<split], bytes[split..<second], bytes[second...]] {
                    framer.feed(part) { sentences.append(placed($0)) }
                }
                #expect(sentences == whole, "split at \(split), \(second)")
            }
        }
        for size in 1...16 {
            var framer = NMEAFramer()
            var sentences: [String] = []
            var index = 0
            while index < bytes.count {
                framer.feed(bytes[index..<min(index + size, bytes.count)]) { sentences.append(placed($0)) }
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

    /// The framer reads eight bytes at a time; a byte-by-byte reference written from the rules
    /// (printable runs, CR/LF ends, the last '*' and two hex digits, commas) must agree with it on
    /// random streams rich in the bytes that matter, fed whole and in random chunks.
    @Test func agreesWithAByteByByteReference() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("$!,*\r\n0123456789ABCDEFGPabc .-".utf8) + [0x00, 0x1F, 0x7E, 0x7F, 0x80, 0xB5, 0xFF]
        for round in 0..<400 {
            var input: [UInt8] = []
            while input.count < 2000 {
                if Bool.random(using: &generator) {
                    // A real sentence, sometimes with a wrong checksum or a cut.
                    var sentence = Array(framed("GNGSA,A,3,\(Int.random(in: 1...99)),,,,,,,,,,,1.\(Int.random(in: 0...9)),0.9,1.0,4").utf8)
                    if Int.random(in: 0..<5, using: &generator) == 0 { sentence[sentence.count - 3] ^= 1 }
                    if Int.random(in: 0..<5, using: &generator) == 0 { sentence.removeLast(Int.random(in: 1...6)) }
                    input += sentence
                } else {
                    input += (0..<Int.random(in: 1...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                }
            }
            let configuration = NMEAFramer.Configuration(maximumLength: 82, lengthTolerance: 40, checksumPolicy: round % 2 == 0 ? .reject : .acceptAndFlag)
            let expected = referenceFrame(input, configuration)
            var framer = NMEAFramer(configuration: configuration)
            var sentences: [String] = []
            var index = 0
            while index < input.count {
                let size = round % 3 == 0 ? input.count : Int.random(in: 1...300, using: &generator)
                framer.feed(input[index..<min(index + size, input.count)]) { sentences.append(describe($0)) }
                index += size
            }
            framer.finish { sentences.append(describe($0)) }
            #expect(sentences == expected.sentences, "round \(round)")
            #expect(framer.discards == expected.discards, "round \(round)")
        }
    }
}

/// A sentence's offset in the stream and its text.
private func placed(_ sentence: NMEASentence) -> String { "\(sentence.streamOffset) \(sentence.string)" }

/// A sentence as text, its field count, its checksum status and its offset, for comparisons.
private func describe(_ sentence: NMEASentence) -> String {
    "\(sentence.string)|\(sentence.fieldCount)|\((0..<sentence.fieldCount).map { sentence[$0].string }.joined(separator: ","))|\(sentence.checksum)"
        + "|byte \(sentence.streamOffset)"
}

/// The framing rules, one byte at a time and without cleverness: the oracle for the framer.
private func referenceFrame(_ input: [UInt8], _ configuration: NMEAFramer.Configuration) -> (sentences: [String], discards: NMEAFramer.Discards) {
    let capacity = max(8, configuration.maximumLength + configuration.lengthTolerance - 2)
    var discards = NMEAFramer.Discards()
    var sentences: [String] = []
    func isStart(_ byte: UInt8) -> Bool { byte == 0x24 || byte == 0x21 }
    func isLineByte(_ byte: UInt8) -> Bool { byte >= 0x20 && byte <= 0x7E && !isStart(byte) }
    func hex(_ byte: UInt8) -> UInt8? { UInt8(String(UnicodeScalar(byte)), radix: 16) }
    func complete(_ line: [UInt8], at start: Int) {
        guard line.count <= capacity else { discards.tooLong += 1; discards.tooLongBytes += line.count; return }
        guard line.count >= 2 else { discards.truncated += 1; discards.truncatedBytes += line.count; return }
        var text = line
        var status = NMEASentence.ChecksumStatus.absent
        if let star = line.lastIndex(of: 0x2A) {
            guard star == line.count - 3, let high = hex(line[star + 1]), let low = hex(line[star + 2]) else {
                discards.malformedChecksum += 1; discards.malformedChecksumBytes += line.count; return
            }
            let sum = line[1..<star].reduce(0, ^)
            if sum == high << 4 | low {
                status = .valid
            } else if configuration.checksumPolicy == .reject {
                discards.badChecksum += 1; discards.badChecksumBytes += line.count; return
            } else {
                status = .mismatch
            }
            text = Array(line[..<star])
        }
        let fields = text.dropFirst().split(separator: 0x2C, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        sentences.append("\(String(decoding: text, as: UTF8.self))|\(fields.count)|\(fields.joined(separator: ","))|\(status)|byte \(start)")
    }
    var index = 0
    while index < input.count {
        let byte = input[index]
        guard isStart(byte) else {
            if byte != 0x0D && byte != 0x0A { discards.garbageBytes += 1 }
            index += 1
            continue
        }
        var end = index + 1
        while end < input.count, isLineByte(input[end]) { end += 1 }
        let line = Array(input[index..<end])
        guard end < input.count else {
            // The last line, unterminated: delivered when complete and valid.
            if line.count > capacity { discards.tooLong += 1; discards.tooLongBytes += line.count } else { complete(line, at: index) }
            break
        }
        if input[end] == 0x0D || input[end] == 0x0A {
            complete(line, at: index)
            index = end + 1
        } else {
            discards.truncated += 1
            discards.truncatedBytes += line.count
            if isStart(input[end]) { index = end } else { discards.garbageBytes += 1; index = end + 1 }
        }
    }
    return (sentences, discards)
}


extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
