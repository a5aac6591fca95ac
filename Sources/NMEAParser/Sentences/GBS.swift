/// GBS: satellite fault detection (RAIM): expected errors and the most likely failed satellite.
public struct GBS: Sendable, Equatable {
    public var time: TimeOfDay?
    @CompactOptional public var latitudeErrorMetres: Double? = nil
    @CompactOptional public var longitudeErrorMetres: Double? = nil
    @CompactOptional public var altitudeErrorMetres: Double? = nil
    /// The most likely failed satellite, as sent.
    public var failedSatellite: Int?
    @CompactOptional public var probabilityOfMissedDetection: Double? = nil
    @CompactOptional public var biasMetres: Double? = nil
    @CompactOptional public var biasStandardDeviationMetres: Double? = nil
    /// NMEA 4.10+ system ID of the failed satellite.
    public var system: GNSSSystem?
    /// NMEA 4.10+ signal ID.
    public var signalID: Int?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 9)
        time = try s[1].timeOfDay()
        latitudeErrorMetres = try s[2].double()
        longitudeErrorMetres = try s[3].double()
        altitudeErrorMetres = try s[4].double()
        failedSatellite = try s[5].int()
        probabilityOfMissedDetection = try s[6].double()
        biasMetres = try s[7].double()
        biasStandardDeviationMetres = try s[8].double()
        if let id = try s[9].hex() { system = GNSSSystem(nmeaSystemID: id) }
        signalID = try s[10].hex()
    }
}
