/// HDT: true heading.
public struct HDT: Sendable, Equatable {
    @CompactOptional public var headingDegrees: Double? = nil

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 2)
        headingDegrees = try s[1].double()
    }
}
