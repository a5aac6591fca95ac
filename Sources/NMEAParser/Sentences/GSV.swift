/// One satellite in a GSV sentence. Stored in 16-bit fields (absent = `Int16.min`) so that a
/// decoded GSV stays small enough to copy cheaply.
public struct GSVSatellite: Sendable, Equatable {
    private var storedNumber: Int16
    private var storedElevation: Int16
    private var storedAzimuth: Int16
    private var storedSNR: Int16

    /// Creates a satellite entry; values outside -32767...32767 count as absent.
    public init(number: Int, elevationDegrees: Int? = nil, azimuthDegrees: Int? = nil, snr: Int? = nil) {
        storedNumber = Self.store(number)
        storedElevation = Self.store(elevationDegrees)
        storedAzimuth = Self.store(azimuthDegrees)
        storedSNR = Self.store(snr)
    }

    /// The number as sent (normalise with ``SatelliteID/init(nmeaNumber:system:)``); 0 if out of range.
    public var number: Int { Self.load(storedNumber) ?? 0 }
    /// Elevation in degrees, 0-90.
    public var elevationDegrees: Int? { Self.load(storedElevation) }
    /// Azimuth in degrees true, 0-359.
    public var azimuthDegrees: Int? { Self.load(storedAzimuth) }
    /// Carrier-to-noise density in dB-Hz; nil when not tracked.
    public var snr: Int? { Self.load(storedSNR) }

    private static func store(_ value: Int?) -> Int16 {
        guard let value, value > Int(Int16.min), value <= Int(Int16.max) else { return .min }
        return Int16(value)
    }

    private static func load(_ value: Int16) -> Int? { value == .min ? nil : Int(value) }
}

/// GSV: satellites in view, up to four per sentence, in a set of several sentences.
/// NMEA 4.10+ appends a signal ID (hexadecimal, `1`-`F`).
public struct GSV: Sendable {
    public var totalMessages: Int
    public var messageNumber: Int
    public var satellitesInView: Int?
    public var satellites: InlineArray<4, GSVSatellite>
    public var satelliteCount: Int
    /// The NMEA 4.10+ signal ID, when sent.
    public var signalID: Int?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 4)
        guard let total = try s[1].int(), let number = try s[2].int() else { throw NMEADecodeError(.tooFewFields, field: 1) }
        guard total >= 1, (1...total).contains(number) else { throw NMEADecodeError(.outOfRange, field: 2) }
        totalMessages = total
        messageNumber = number
        satellitesInView = try s[3].int()
        satellites = InlineArray(repeating: GSVSatellite(number: 0))
        satelliteCount = 0
        // 4 fields per satellite after field 3; one field left over is the signal ID.
        let dataFields = s.fieldCount - 4
        if dataFields % 4 == 1 {
            signalID = try s[s.fieldCount - 1].hex()
        }
        var index = 4
        while index + 3 < s.fieldCount, satelliteCount < 4 {
            defer { index += 4 }
            guard let raw = try s[index].int() else { continue }
            satellites[satelliteCount] = GSVSatellite(number: raw, elevationDegrees: try s[index + 1].int(),
                                                      azimuthDegrees: try s[index + 2].int(), snr: try s[index + 3].int())
            satelliteCount += 1
        }
    }
}
