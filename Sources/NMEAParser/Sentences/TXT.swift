/// TXT: a text message from the receiver. The text is copied (the one decoder that allocates).
public struct TXT: Sendable, Equatable {
    public var totalMessages: Int?
    public var messageNumber: Int?
    /// 00 error, 01 warning, 02 notice, 07 user (u-blox); receivers vary.
    public var identifier: Int?
    public var text: String

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 5)
        totalMessages = try s[1].int()
        messageNumber = try s[2].int()
        identifier = try s[3].int()
        text = s[4].string
    }
}
