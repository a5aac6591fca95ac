/// A sentence that could not be decoded, with the field where decoding stopped.
///
/// A struct with a ``Code`` rather than a public enum, so that new codes do not break callers.
public struct NMEADecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// A field that must hold a number holds something else.
        public static let invalidNumber = Code(name: "expected a number")
        /// A field that must hold one character holds more.
        public static let invalidCharacter = Code(name: "expected a single character")
        /// A value is out of its range (a minute of 61, a month of 13, a latitude of 91 degrees).
        public static let outOfRange = Code(name: "value out of range")
        /// A time field is not `hhmmss[.sss]`.
        public static let invalidTime = Code(name: "expected a time hhmmss[.sss]")
        /// A date field is not `ddmmyy`.
        public static let invalidDate = Code(name: "expected a date ddmmyy")
        /// A latitude or longitude is not `[d]ddmm.mmmm` with a hemisphere.
        public static let invalidCoordinate = Code(name: "expected a coordinate [d]ddmm.mmmm and a hemisphere")
        /// The sentence has fewer fields than its type requires.
        public static let tooFewFields = Code(name: "too few fields")
        /// The address is not a talker and type.
        public static let invalidAddress = Code(name: "expected an address such as GPGGA")
        public var description: String { name }
    }

    /// What went wrong.
    public let code: Code
    /// The field index (0 is the address).
    public let field: Int

    /// Creates an error.
    public init(_ code: Code, field: Int) {
        self.code = code
        self.field = field
    }

    public var description: String { "field \(field): \(code)" }
}
