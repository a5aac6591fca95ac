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
        try decode(sentence, address: sentence.address)
    }

    /// Decodes one sentence whose address is already parsed.
    @usableFromInline
    static func decode(_ sentence: NMEASentence, address: NMEAAddress) throws(NMEADecodeError) -> NMEARecord {
        if address.isProprietary {
            return .proprietary(manufacturer: ShortCode(sentence[0], dropFirst: 1, count: 3))
        }
        guard address.talker != 0 else { throw NMEADecodeError(.invalidAddress, field: 0) }
        switch address.type {
        case SentenceType.gga: return .gga(try GGA(sentence))
        case SentenceType.rmc: return .rmc(try RMC(sentence))
        case SentenceType.gll: return .gll(try GLL(sentence))
        case SentenceType.gns: return .gns(try GNS(sentence))
        case SentenceType.gsa: return .gsa(try GSA(sentence))
        case SentenceType.gsv: return .gsv(try GSV(sentence))
        case SentenceType.gst: return .gst(try GST(sentence))
        case SentenceType.gbs: return .gbs(try GBS(sentence))
        case SentenceType.zda: return .zda(try ZDA(sentence))
        case SentenceType.vtg: return .vtg(try VTG(sentence))
        case SentenceType.dtm: return .dtm(try DTM(sentence))
        case SentenceType.txt: return .txt(try TXT(sentence))
        case SentenceType.hdt: return .hdt(try HDT(sentence))
        default: return .unsupported
        }
    }
}

/// Packed three-letter sentence types, for comparison with ``NMEAAddress/type``.
public enum SentenceType {
    public static let gga = NMEAAddress.pack(0x47, 0x47, 0x41)
    public static let rmc = NMEAAddress.pack(0x52, 0x4D, 0x43)
    public static let gll = NMEAAddress.pack(0x47, 0x4C, 0x4C)
    public static let gns = NMEAAddress.pack(0x47, 0x4E, 0x53)
    public static let gsa = NMEAAddress.pack(0x47, 0x53, 0x41)
    public static let gsv = NMEAAddress.pack(0x47, 0x53, 0x56)
    public static let gst = NMEAAddress.pack(0x47, 0x53, 0x54)
    public static let gbs = NMEAAddress.pack(0x47, 0x42, 0x53)
    public static let zda = NMEAAddress.pack(0x5A, 0x44, 0x41)
    public static let vtg = NMEAAddress.pack(0x56, 0x54, 0x47)
    public static let dtm = NMEAAddress.pack(0x44, 0x54, 0x4D)
    public static let txt = NMEAAddress.pack(0x54, 0x58, 0x54)
    public static let hdt = NMEAAddress.pack(0x48, 0x44, 0x54)
}
