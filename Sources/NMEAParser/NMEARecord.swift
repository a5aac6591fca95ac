/// A decoded sentence.
public enum NMEARecord: Sendable {
    case gga(GGA)
    case rmc(RMC)
    case gll(GLL)
    case gns(GNS)
    case gsa(GSA)
    case gsv(GSV)
    case gst(GST)
    case gbs(GBS)
    case zda(ZDA)
    case vtg(VTG)
    case dtm(DTM)
    case txt(TXT)
    case hdt(HDT)
    /// A proprietary sentence (`$P` + manufacturer), passed through undecoded.
    case proprietary(manufacturer: ShortCode)
    /// A standard sentence type this parser does not decode (RTE, RLM, ...).
    case unsupported
}

/// Turns framed sentences into typed records. Dispatch is on the type alone, so `$BDRMC`,
/// `$GBRMC` and `$GNRMC` reach one decoder.
public enum NMEADecoder {
    /// Decodes one sentence.
    /// - Throws: ``NMEADecodeError`` naming the field that stopped decoding.
    public static func decode(_ sentence: NMEASentence) throws(NMEADecodeError) -> NMEARecord {
        var receiver = RecordReceiver()
        try decode(sentence, address: sentence.address, to: &receiver)
        return receiver.record
    }

    /// Decodes one sentence whose address is already parsed and hands the decoded value, with its
    /// own type, to `receiver`.
    @inlinable
    static func decode<Receiver: DecodedSentenceReceiver & ~Copyable>(
        _ sentence: NMEASentence, address: NMEAAddress, to receiver: inout Receiver
    ) throws(NMEADecodeError) {
        if address.isProprietary { return receiver.receive(ProprietarySentence(sentence)) }
        guard address.talker != 0 else { throw NMEADecodeError(.invalidAddress, field: 0) }
        switch address.type {
        case SentenceType.gga: receiver.receive(try GGA(sentence))
        case SentenceType.rmc: receiver.receive(try RMC(sentence))
        case SentenceType.gll: receiver.receive(try GLL(sentence))
        case SentenceType.gns: receiver.receive(try GNS(sentence))
        case SentenceType.gsa: receiver.receive(try GSA(sentence))
        case SentenceType.gsv: receiver.receive(try GSV(sentence))
        case SentenceType.gst: receiver.receive(try GST(sentence))
        case SentenceType.gbs: receiver.receive(try GBS(sentence))
        case SentenceType.zda: receiver.receive(try ZDA(sentence))
        case SentenceType.vtg: receiver.receive(try VTG(sentence))
        case SentenceType.dtm: receiver.receive(try DTM(sentence))
        case SentenceType.txt: receiver.receive(try TXT(sentence))
        case SentenceType.hdt: receiver.receive(try HDT(sentence))
        default: receiver.receive(UnsupportedSentence(sentence))
        }
    }
}

/// A decoded sentence type. The decoder hands each decoded value on with its own type, so that
/// where a receiver wraps it in an ``NMEARecord`` only to switch on the record again (the epoch
/// assembler does), the optimiser removes both: the stream builds no record unless its consumer
/// reads records.
@usableFromInline
protocol DecodedSentence {
    /// Decodes a sentence of this type.
    init(_ sentence: NMEASentence) throws(NMEADecodeError)
    /// The decoded sentence as a record.
    var record: NMEARecord { get }
}

/// Receives decoded sentences with their own types.
@usableFromInline
protocol DecodedSentenceReceiver: ~Copyable {
    mutating func receive<Decoded: DecodedSentence>(_ decoded: Decoded)
}

/// Keeps the record of the sentence decoded last.
private struct RecordReceiver: DecodedSentenceReceiver {
    var record = NMEARecord.unsupported
    mutating func receive<Decoded: DecodedSentence>(_ decoded: Decoded) { record = decoded.record }
}

extension GGA: DecodedSentence { @inlinable var record: NMEARecord { .gga(self) } }
extension RMC: DecodedSentence { @inlinable var record: NMEARecord { .rmc(self) } }
extension GLL: DecodedSentence { @inlinable var record: NMEARecord { .gll(self) } }
extension GNS: DecodedSentence { @inlinable var record: NMEARecord { .gns(self) } }
extension GSA: DecodedSentence { @inlinable var record: NMEARecord { .gsa(self) } }
extension GSV: DecodedSentence { @inlinable var record: NMEARecord { .gsv(self) } }
extension GST: DecodedSentence { @inlinable var record: NMEARecord { .gst(self) } }
extension GBS: DecodedSentence { @inlinable var record: NMEARecord { .gbs(self) } }
extension ZDA: DecodedSentence { @inlinable var record: NMEARecord { .zda(self) } }
extension VTG: DecodedSentence { @inlinable var record: NMEARecord { .vtg(self) } }
extension DTM: DecodedSentence { @inlinable var record: NMEARecord { .dtm(self) } }
extension TXT: DecodedSentence { @inlinable var record: NMEARecord { .txt(self) } }
extension HDT: DecodedSentence { @inlinable var record: NMEARecord { .hdt(self) } }

/// A proprietary sentence: only its manufacturer is read.
@usableFromInline
struct ProprietarySentence: DecodedSentence {
    @usableFromInline let manufacturer: ShortCode
    @usableFromInline init(_ sentence: NMEASentence) { manufacturer = ShortCode(sentence[0], dropFirst: 1, count: 3) }
    @inlinable var record: NMEARecord { .proprietary(manufacturer: manufacturer) }
}

/// A standard sentence of a type not decoded here.
@usableFromInline
struct UnsupportedSentence: DecodedSentence {
    @usableFromInline init(_ sentence: NMEASentence) {}
    @inlinable var record: NMEARecord { .unsupported }
}

/// Packed three-letter sentence types, for comparison with ``NMEAAddress/type``. Computed and
/// inlinable, so that the decoder's switch inlined into a client compares constants.
public enum SentenceType {
    @inlinable public static var gga: UInt32 { NMEAAddress.pack(0x47, 0x47, 0x41) }
    @inlinable public static var rmc: UInt32 { NMEAAddress.pack(0x52, 0x4D, 0x43) }
    @inlinable public static var gll: UInt32 { NMEAAddress.pack(0x47, 0x4C, 0x4C) }
    @inlinable public static var gns: UInt32 { NMEAAddress.pack(0x47, 0x4E, 0x53) }
    @inlinable public static var gsa: UInt32 { NMEAAddress.pack(0x47, 0x53, 0x41) }
    @inlinable public static var gsv: UInt32 { NMEAAddress.pack(0x47, 0x53, 0x56) }
    @inlinable public static var gst: UInt32 { NMEAAddress.pack(0x47, 0x53, 0x54) }
    @inlinable public static var gbs: UInt32 { NMEAAddress.pack(0x47, 0x42, 0x53) }
    @inlinable public static var zda: UInt32 { NMEAAddress.pack(0x5A, 0x44, 0x41) }
    @inlinable public static var vtg: UInt32 { NMEAAddress.pack(0x56, 0x54, 0x47) }
    @inlinable public static var dtm: UInt32 { NMEAAddress.pack(0x44, 0x54, 0x4D) }
    @inlinable public static var txt: UInt32 { NMEAAddress.pack(0x54, 0x58, 0x54) }
    @inlinable public static var hdt: UInt32 { NMEAAddress.pack(0x48, 0x44, 0x54) }
}
