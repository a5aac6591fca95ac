/// An optional `Double` kept in 8 bytes instead of `Optional`'s 16, NaN standing for absent (no
/// NMEA field parses to NaN): decoded sentences and fixes stay small enough to copy cheaply.
/// Assigning NaN stores "absent".
@propertyWrapper
public struct CompactOptional: Sendable, Equatable {
    @usableFromInline var stored: Double

    @inlinable
    public init(wrappedValue: Double?) { stored = wrappedValue ?? .nan }

    @inlinable
    public var wrappedValue: Double? {
        get { stored.isNaN ? nil : stored }
        set { stored = newValue ?? .nan }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.wrappedValue == rhs.wrappedValue }
}
