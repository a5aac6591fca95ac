@testable import NMEAParser

/// SplitMix64: reproducible random cases.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Adds `*hh` to a sentence body such as `GPGGA,...` and a CR LF.
func framed(_ body: String) -> String {
    var sum: UInt8 = 0
    for byte in body.utf8 { sum ^= byte }
    let hex = String(sum, radix: 16, uppercase: true)
    return "$\(body)*\(hex.count == 1 ? "0" + hex : hex)\r\n"
}

/// Frames `input` and returns the sentences' text (without `$`).
func frame(_ input: [UInt8], configuration: NMEAFramer.Configuration = .init()) -> (sentences: [String], framer: NMEAFramer) {
    var framer = NMEAFramer(configuration: configuration)
    var sentences: [String] = []
    framer.feed(input) { sentences.append(String($0.string.dropFirst())) }
    framer.finish { sentences.append(String($0.string.dropFirst())) }
    return (sentences, framer)
}

/// Decodes one sentence body.
func decode(_ body: String) throws -> NMEARecord {
    var result: Result<NMEARecord, NMEADecodeError>?
    var framer = NMEAFramer()
    framer.feed(Array(framed(body).utf8)) { sentence in
        result = Result { () throws(NMEADecodeError) in try NMEADecoder.decode(sentence) }
    }
    return try result!.get()
}

/// Collects the epochs of a stream.
struct EpochCollector: NMEAStreamConsumer {
    var epochs: [(Fix, SkyView)] = []
    var errors: [NMEADecodeError] = []
    mutating func epoch(_ fix: Fix, _ sky: SkyView) { epochs.append((fix, sky)) }
    mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError) { errors.append(error) }
}

func epochs(of text: String) -> (epochs: [(Fix, SkyView)], stream: NMEAStream, errors: [NMEADecodeError]) {
    var stream = NMEAStream()
    var collector = EpochCollector()
    Array(text.utf8).withUnsafeBytes { stream.feed($0, into: &collector) }
    stream.finish(into: &collector)
    return (collector.epochs, stream, collector.errors)
}
