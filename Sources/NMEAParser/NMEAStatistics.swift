/// Counts kept by ``NMEAStream``: sentences per talker and type, decode failures, epochs,
/// fixes by quality and satellites per constellation.
public struct NMEAStatistics: Sendable {
    // Sentences per address, as parallel arrays in order of first appearance, found through a
    // small direct-mapped cache of packed addresses (a stream has a few dozen at most).
    private var addresses: [ShortCode] = []
    private var addressCounts: [Int] = []
    private var cache: InlineArray<32, (packed: UInt64, index: Int32)> = InlineArray(repeating: (0, -1))
    /// The most addresses counted one by one, ten times what a receiver sends: a noisy line can
    /// frame endless made-up addresses, and a daemon runs for months.
    public static let maximumAddresses = 256
    /// Sentences under addresses that came after ``maximumAddresses`` others.
    public internal(set) var otherAddresses = 0
    /// Sentences that framed but did not decode.
    public internal(set) var decodeErrors = 0
    /// The first decode error, with the sentence's stream offset.
    public internal(set) var firstDecodeError: (offset: Int, error: NMEADecodeError)?
    /// Sentences delivered with a mismatching checksum (under the accept-and-flag policy).
    public internal(set) var flaggedChecksums = 0
    /// Epochs assembled.
    public internal(set) var epochs = 0
    /// Epochs per fix quality (index: ``FixQuality/rawValue``).
    public internal(set) var epochsByQuality: InlineArray<9, Int> = InlineArray(repeating: 0)
    /// Largest number of satellites seen in one epoch, per system (index: ``GNSSSystem/rawValue``).
    public internal(set) var maximumSeen: InlineArray<8, Int> = InlineArray(repeating: 0)
    /// Largest number of satellites used in one epoch, per system.
    public internal(set) var maximumUsed: InlineArray<8, Int> = InlineArray(repeating: 0)

    /// Counts a sentence under its address, and its checksum when flagged.
    @usableFromInline
    mutating func count(_ sentence: NMEASentence, address: NMEAAddress) {
        if sentence.checksum == .mismatch { flaggedChecksums += 1 }
        // The address as counted: talker and type, `P` and the manufacturer, or the first five
        // characters of an address of another length.
        let key = address.talker != 0 || address.type != 0
            ? ShortCode(packed: UInt64(address.isProprietary ? UInt16(UInt8(ascii: "P")) : address.talker) << 24 | UInt64(address.type),
                        count: address.isProprietary ? 4 : 5)
            : ShortCode(sentence[0], count: address.isProprietary ? 4 : 5)
        let slot = Int(truncatingIfNeeded: (key.packed &* 0x9E37_79B9_7F4A_7C15) >> 59)
        // An empty slot holds index -1 (an empty address packs to 0 as well). Framed text is
        // printable, so no two addresses pack alike.
        let cached = cache[slot]
        if cached.index >= 0, cached.packed == key.packed {
            addressCounts[Int(cached.index)] += 1
            return
        }
        let index: Int
        if let known = addresses.firstIndex(of: key) {
            index = known
            addressCounts[index] += 1
        } else if addresses.count < Self.maximumAddresses {
            index = addresses.count
            addresses.append(key)
            addressCounts.append(1)
        } else {
            otherAddresses += 1
            return
        }
        cache[slot] = (key.packed, Int32(index))
    }

    /// Sentences per address (`GBGSV`, `PSRF`), keyed by the packed address text.
    public var sentencesByAddress: [ShortCode: Int] {
        Dictionary(uniqueKeysWithValues: zip(addresses, addressCounts))
    }

    /// Counts a sentence that framed but did not decode, keeping the first error.
    @usableFromInline
    mutating func countDecodeError(_ error: NMEADecodeError, at offset: Int) {
        decodeErrors += 1
        if firstDecodeError == nil { firstDecodeError = (offset, error) }
    }

    @usableFromInline
    mutating func count(_ fix: Fix, _ sky: SkyView) {
        epochs += 1
        epochsByQuality[fix.quality.rawValue] += 1
        let seen = sky.seenPerSystem
        for index in seen.indices {
            maximumSeen[index] = max(maximumSeen[index], Int(seen[index]))
            maximumUsed[index] = max(maximumUsed[index], Int(fix.satellitesUsed[index]))
        }
    }

    /// Total sentences decoded or not.
    public var sentences: Int { addressCounts.reduce(otherAddresses, +) }
}

/// Receives what an ``NMEAStream`` produces. Generic use keeps the hot path free of existentials.
public protocol NMEAStreamConsumer: ~Copyable {
    /// A sentence decoded; `assembler` has already ingested it.
    mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler)
    /// An epoch closed.
    mutating func epoch(_ fix: Fix, _ sky: SkyView)
    /// A sentence framed but failed to decode.
    mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError)
}

extension NMEAStreamConsumer where Self: ~Copyable {
    public mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler) {}
    public mutating func epoch(_ fix: Fix, _ sky: SkyView) {}
    public mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError) {}
}

/// The whole pipeline: bytes -> framer -> decoder -> epoch assembler, with statistics.
///
/// `feed` and `finish` are inlinable so that each consumer gets its own specialised pipeline
/// (a consumer that ignores sentences then costs nothing per sentence).
public struct NMEAStream: Sendable {
    /// The framer (its ``NMEAFramer/discards`` count what it dropped).
    public var framer: NMEAFramer { framerStorage }
    @usableFromInline var framerStorage: NMEAFramer
    @usableFromInline var stages = Stages()

    /// The assembler.
    public var assembler: EpochAssembler { stages.assembler }
    /// Counts so far.
    public var statistics: NMEAStatistics { stages.statistics }

    /// Creates a stream.
    public init(framer configuration: NMEAFramer.Configuration = .init()) {
        framerStorage = NMEAFramer(configuration: configuration)
    }

    /// Feeds a chunk of bytes of any size.
    @inlinable
    public mutating func feed<Consumer: NMEAStreamConsumer & ~Copyable>(_ bytes: UnsafeRawBufferPointer, into consumer: inout Consumer) {
        framerStorage.feed(bytes) { sentence in stages.handle(sentence, &consumer) }
    }

    /// Ends the stream: the last unterminated sentence and the last epoch are delivered.
    @inlinable
    public mutating func finish<Consumer: NMEAStreamConsumer & ~Copyable>(into consumer: inout Consumer) {
        framerStorage.finish { sentence in stages.handle(sentence, &consumer) }
        stages.finish(&consumer)
    }

    /// Hands a decoded sentence to the assembler, the statistics and the consumer. It lives for
    /// one sentence inside ``Stages/handle(_:_:)``, which it reaches through pointers: a value
    /// cannot hold the stages and the consumer by reference otherwise.
    @usableFromInline
    struct Receiver<Consumer: NMEAStreamConsumer & ~Copyable>: DecodedSentenceReceiver {
        @usableFromInline let stages: UnsafeMutablePointer<Stages>
        @usableFromInline let consumer: UnsafeMutablePointer<Consumer>
        @usableFromInline let sentence: NMEASentence
        @usableFromInline let talker: GNSSSystem?

        @inlinable
        init(stages: UnsafeMutablePointer<Stages>, consumer: UnsafeMutablePointer<Consumer>, sentence: NMEASentence, talker: GNSSSystem?) {
            self.stages = stages
            self.consumer = consumer
            self.sentence = sentence
            self.talker = talker
        }

        @inlinable
        mutating func receive<Decoded: DecodedSentence>(_ decoded: Decoded) {
            let record = decoded.record
            stages.pointee.assembler.ingest(record, talker: talker) { fix, sky in
                stages.pointee.statistics.count(fix, sky)
                consumer.pointee.epoch(fix, sky)
            }
            consumer.pointee.sentence(sentence, record: record, assembler: stages.pointee.assembler)
        }
    }

    @usableFromInline
    struct Stages: Sendable {
        @usableFromInline var assembler = EpochAssembler()
        @usableFromInline var statistics = NMEAStatistics()

        @usableFromInline init() {}

        @inlinable
        mutating func handle<Consumer: NMEAStreamConsumer & ~Copyable>(_ sentence: NMEASentence, _ consumer: inout Consumer) {
            let address = sentence.address
            statistics.count(sentence, address: address)
            do throws(NMEADecodeError) {
                try withUnsafeMutablePointer(to: &self) { (stages) throws(NMEADecodeError) in
                    try withUnsafeMutablePointer(to: &consumer) { (consumer) throws(NMEADecodeError) in
                        var receiver = Receiver(stages: stages, consumer: consumer, sentence: sentence, talker: address.talkerSystem)
                        try NMEADecoder.decode(sentence, address: address, to: &receiver)
                    }
                }
            } catch {
                statistics.countDecodeError(error, at: sentence.streamOffset)
                consumer.decodeFailed(sentence, error: error)
            }
        }

        @inlinable
        mutating func finish<Consumer: NMEAStreamConsumer & ~Copyable>(_ consumer: inout Consumer) {
            assembler.finish { fix, sky in
                statistics.count(fix, sky)
                consumer.epoch(fix, sky)
            }
        }
    }
}
