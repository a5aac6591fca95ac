/// The address field of a sentence: talker and type (`GB` + `GSV`), or a proprietary
/// manufacturer sentence (`P` + `SRF` + `EPE`).
public struct NMEAAddress: Sendable, Equatable {
    /// The two-letter talker, packed as two ASCII bytes (`GB` = 0x4742); 0 for proprietary sentences.
    public let talker: UInt16
    /// The three-letter sentence type packed as ASCII bytes (`GSV`), or the proprietary
    /// manufacturer's three letters (`SRF`).
    public let type: UInt32
    /// True for proprietary (`$P...`) sentences.
    public let isProprietary: Bool

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        // The address field, without the leading '$' or '!'.
        if bytes.count >= 1, bytes[0] == UInt8(ascii: "P") {
            isProprietary = true
            talker = 0
            type = bytes.count >= 4 ? NMEAAddress.pack(bytes[1], bytes[2], bytes[3]) : 0
        } else if bytes.count == 5 {
            isProprietary = false
            talker = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            type = NMEAAddress.pack(bytes[2], bytes[3], bytes[4])
        } else {
            isProprietary = false
            talker = 0
            type = 0
        }
    }

    /// Packs a three-letter type for comparison with ``type``.
    @inlinable
    public static func pack(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt32 {
        UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
    }

    /// The talker as text (`GB`), empty for proprietary sentences.
    public var talkerString: String {
        talker == 0 ? "" : String(decoding: [UInt8(talker >> 8), UInt8(talker & 0xFF)], as: UTF8.self)
    }

    /// The type as text (`GSV`), or the manufacturer for proprietary sentences (`SRF`).
    public var typeString: String {
        String(decoding: [UInt8(type >> 16), UInt8(type >> 8 & 0xFF), UInt8(type & 0xFF)], as: UTF8.self)
    }

    /// The navigation system a talker stands for, or nil for `GN` (combined) and non-GNSS talkers.
    public var talkerSystem: GNSSSystem? {
        switch talker {
        case 0x4750: .gps       // GP
        case 0x474C: .glonass   // GL
        case 0x4741: .galileo   // GA
        case 0x4742, 0x4244: .beidou // GB, BD
        case 0x4751, 0x515A: .qzss   // GQ, QZ
        case 0x4749: .navic     // GI
        default: nil
        }
    }
}
