/// Assembles the sentences of one receiver epoch into one ``Fix`` and one ``SkyView``, across
/// talkers and multi-part GSV sets.
///
/// An epoch is the run of sentences that share a UTC time of day; a timed sentence (GGA, RMC, GLL,
/// GNS, ZDA, GST, GBS) with a new time closes the previous epoch. Untimed sentences (GSA, GSV, VTG,
/// HDT) belong to the epoch in progress, except on receivers that send them first (Quectel: GSV,
/// GSA, VTG, then RMC, GGA, GLL): once an epoch that began untimed has had its timed sentences,
/// the next GSA or GSV begins the next epoch. The date is carried across epochs and rolled over at
/// midnight; two-digit RMC years take their century from the last ZDA, else 1980-2079.
public struct EpochAssembler: Sendable {
    /// The epoch in progress (complete once the next epoch starts).
    public private(set) var fix = Fix()
    /// The sky view of the epoch in progress; kept from the previous epoch until a GSV arrives.
    public private(set) var sky = SkyView()
    /// Epochs closed so far.
    public private(set) var epochCount = 0

    private var used = SatelliteSet()
    private var previousUsed = SatelliteSet()
    private var knownDate: CalendarDate?
    private var dateFromZDA = false
    private var previousTime: TimeOfDay?
    private var epochHasData = false
    private var epochBeganUntimed = false
    private var timedThisEpoch = false
    private var gsaThisEpoch = false
    private var previousDOPs = DilutionOfPrecision()
    private var previousFix: Fix?
    private var skyUpdatedThisEpoch = false
    private var gsaMode: FixMode?
    private var bestFAAQuality: FixQuality?
    private var ggaQuality: FixQuality?
    private var gsvKey = GSVKey(system: nil, signalID: -1)
    private var gsvExpected = 0
    private var gsvSeenMask: UInt32 = 0
    private var gsvSetStart = 0

    private struct GSVKey: Equatable, Sendable {
        var system: GNSSSystem?
        var signalID: Int
    }

    /// Creates an assembler.
    public init() {}

    /// Adds one decoded sentence; `onEpoch` receives the previous epoch when this sentence starts a new one.
    ///
    /// Inlinable so that the stream, which hands over each sentence with its own type, gets the
    /// switch resolved at compile time and builds no record.
    /// - Parameters:
    ///   - record: the decoded sentence.
    ///   - talker: the talker's system (``NMEAAddress/talkerSystem``), nil for `GN`.
    @inlinable
    public mutating func ingest(_ record: NMEARecord, talker: GNSSSystem?, _ onEpoch: (Fix, SkyView) -> Void) {
        switch record {
        case .gga(let s): merge(s, onEpoch)
        case .rmc(let s): merge(s, onEpoch)
        case .gll(let s): merge(s, onEpoch)
        case .gns(let s): merge(s, onEpoch)
        case .zda(let s): merge(s, onEpoch)
        case .gst(let s): merge(s, onEpoch)
        case .gbs(let s): begin(time: s.time, onEpoch)
        case .gsa(let s): merge(s, talker: talker, onEpoch)
        case .gsv(let s): merge(s, talker: talker, onEpoch)
        case .vtg(let s): merge(s, onEpoch)
        case .hdt(let s): merge(s)
        case .dtm, .txt, .proprietary, .unsupported: return
        }
        refreshDerived()
    }

    @usableFromInline
    mutating func merge(_ s: GGA, _ onEpoch: (Fix, SkyView) -> Void) {
        begin(time: s.time, onEpoch)
        mergeSolution(latitude: s.latitude, longitude: s.longitude, altitude: s.altitudeMSLMetres,
                      separation: s.geoidSeparationMetres)
        mergeSolutionStatus(hdop: s.hdop, satellites: s.satellitesUsed, age: s.differentialAgeSeconds,
                            station: s.differentialStation)
        if let quality = s.quality { ggaQuality = quality }
    }

    @usableFromInline
    mutating func merge(_ s: RMC, _ onEpoch: (Fix, SkyView) -> Void) {
        if let date = s.date { setDate(Self.resolveCentury(date, zda: dateFromZDA ? knownDate : nil), fromZDA: false) }
        begin(time: s.time, onEpoch)
        if s.isValid == true {
            fix.latitude = s.latitude ?? fix.latitude
            fix.longitude = s.longitude ?? fix.longitude
            if let knots = s.speedKnots { fix.speedMetresPerSecond = knots * metresPerSecondPerKnot }
            fix.courseDegrees = s.courseDegrees ?? fix.courseDegrees
            noteFAA(s.mode ?? .gps)
        } else {
            noteFAA(.invalid)
        }
        fix.magneticVariationDegrees = s.magneticVariationDegrees ?? fix.magneticVariationDegrees
    }

    @usableFromInline
    mutating func merge(_ s: GLL, _ onEpoch: (Fix, SkyView) -> Void) {
        begin(time: s.time, onEpoch)
        if s.isValid == true, s.mode != .invalid {
            fix.latitude = s.latitude ?? fix.latitude
            fix.longitude = s.longitude ?? fix.longitude
            noteFAA(s.mode ?? .gps)
        } else {
            noteFAA(.invalid)
        }
    }

    @usableFromInline
    mutating func merge(_ s: GNS, _ onEpoch: (Fix, SkyView) -> Void) {
        begin(time: s.time, onEpoch)
        if let mode = s.mode { noteFAA(mode) }
        if s.mode?.hasPosition == true {
            mergeSolution(latitude: s.latitude, longitude: s.longitude, altitude: s.altitudeMSLMetres,
                          separation: s.geoidSeparationMetres)
        }
        mergeSolutionStatus(hdop: s.hdop, satellites: s.satellitesUsed, age: s.differentialAgeSeconds,
                            station: s.differentialStation)
    }

    @usableFromInline
    mutating func merge(_ s: ZDA, _ onEpoch: (Fix, SkyView) -> Void) {
        if let date = s.date { setDate(date, fromZDA: true) }
        begin(time: s.time, onEpoch)
    }

    @usableFromInline
    mutating func merge(_ s: GST, _ onEpoch: (Fix, SkyView) -> Void) {
        begin(time: s.time, onEpoch)
        fix.rangeRMS = s.rangeRMS
        fix.errorEllipseMajorMetres = s.semiMajorMetres
        fix.errorEllipseMinorMetres = s.semiMinorMetres
        fix.errorEllipseOrientationDegrees = s.orientationDegrees
        fix.latitudeErrorMetres = s.latitudeErrorMetres
        fix.longitudeErrorMetres = s.longitudeErrorMetres
        fix.altitudeErrorMetres = s.altitudeErrorMetres
    }

    @usableFromInline
    mutating func merge(_ s: GSA, talker: GNSSSystem?, _ onEpoch: (Fix, SkyView) -> Void) {
        noteUntimed(beginsCycle: true, onEpoch)
        gsaThisEpoch = true
        if let mode = s.fixMode, let value = FixMode(rawValue: mode) { gsaMode = value }
        fix.pdop = s.pdop ?? fix.pdop
        fix.hdop = s.hdop ?? fix.hdop
        fix.vdop = s.vdop ?? fix.vdop
        for id in s.satellites(talker: talker) { used.insert(id) }
        fix.satellitesUsed = used.perSystem()
    }

    @usableFromInline
    mutating func merge(_ s: GSV, talker: GNSSSystem?, _ onEpoch: (Fix, SkyView) -> Void) {
        noteUntimed(beginsCycle: true, onEpoch)
        addSatellites(s, talker: talker)
    }

    @usableFromInline
    mutating func merge(_ s: VTG, _ onEpoch: (Fix, SkyView) -> Void) {
        noteUntimed(beginsCycle: false, onEpoch)
        if s.mode != .invalid {
            if let knots = s.speedKnots {
                fix.speedMetresPerSecond = knots * metresPerSecondPerKnot
            } else if let kmh = s.speedKilometresPerHour {
                fix.speedMetresPerSecond = kmh / 3.6
            }
            fix.courseDegrees = s.courseTrueDegrees ?? fix.courseDegrees
        }
    }

    @usableFromInline
    mutating func merge(_ s: HDT) {
        fix.headingDegrees = s.headingDegrees ?? fix.headingDegrees
    }

    /// Ends the stream: the epoch in progress, if it holds anything, is closed.
    public mutating func finish(_ onEpoch: (Fix, SkyView) -> Void) {
        if epochHasData { close(onEpoch) }
    }

    /// GGA and GNS carry the same solution fields; a present value replaces, an absent one keeps.
    private mutating func mergeSolution(latitude: Double?, longitude: Double?, altitude: Double?, separation: Double?) {
        fix.latitude = latitude ?? fix.latitude
        fix.longitude = longitude ?? fix.longitude
        fix.altitudeMSLMetres = altitude ?? fix.altitudeMSLMetres
        fix.geoidSeparationMetres = separation ?? fix.geoidSeparationMetres
    }

    private mutating func mergeSolutionStatus(hdop: Double?, satellites: Int?, age: Double?, station: Int?) {
        fix.hdop = hdop ?? fix.hdop
        fix.satellitesUsedReported = satellites ?? fix.satellitesUsedReported
        fix.differentialAgeSeconds = age ?? fix.differentialAgeSeconds
        fix.differentialStation = station ?? fix.differentialStation
    }

    /// An untimed sentence: it begins the next epoch when it `beginsCycle` (GSA, GSV) and the
    /// epoch in progress began untimed and has had its timed sentences.
    private mutating func noteUntimed(beginsCycle: Bool, _ onEpoch: (Fix, SkyView) -> Void) {
        if beginsCycle && epochBeganUntimed && timedThisEpoch { close(onEpoch) }
        if !epochHasData { epochBeganUntimed = true }
        epochHasData = true
    }

    @usableFromInline
    mutating func begin(time: TimeOfDay?, _ onEpoch: (Fix, SkyView) -> Void) {
        guard let time else {
            epochHasData = true
            return
        }
        timedThisEpoch = true
        if let current = fix.time, current != time {
            close(onEpoch)
            timedThisEpoch = true
        }
        if let previous = previousTime, time < previous,
           previous.nanosecondsOfDay - time.nanosecondsOfDay > 12 * 3_600_000_000_000, let date = knownDate {
            // Midnight passed and no sentence has given the new date yet.
            knownDate = date.next
        }
        previousTime = time
        fix.time = time
        fix.date = knownDate
        epochHasData = true
    }

    private mutating func close(_ onEpoch: (Fix, SkyView) -> Void) {
        refreshDerived()
        sky.markUsed(used)
        onEpoch(fix, sky)
        previousFix = fix
        epochCount += 1
        if gsaThisEpoch { previousDOPs = DilutionOfPrecision(pdop: fix.pdop, hdop: fix.hdop, vdop: fix.vdop) }
        fix = Fix()
        fix.date = knownDate
        previousUsed = used
        used.removeAll()
        gsaMode = nil
        bestFAAQuality = nil
        ggaQuality = nil
        skyUpdatedThisEpoch = false
        epochHasData = false
        epochBeganUntimed = false
        timedThisEpoch = false
        gsaThisEpoch = false
    }

    private mutating func setDate(_ date: CalendarDate, fromZDA: Bool) {
        knownDate = date
        dateFromZDA = dateFromZDA || fromZDA
        fix.date = date
    }

    /// An RMC year has two digits; after a ZDA (`zda`, the date it gave last), take the century
    /// nearest the ZDA's year. Static: a method reading `self` would copy the whole assembler.
    private static func resolveCentury(_ date: CalendarDate, zda known: CalendarDate?) -> CalendarDate {
        guard let known else { return date }
        var year = known.year - known.year % 100 + date.year % 100
        if year - known.year > 50 { year -= 100 } else if known.year - year > 50 { year += 100 }
        return CalendarDate(year: year, month: date.month, day: date.day)
    }

    private mutating func noteFAA(_ quality: FixQuality) {
        if bestFAAQuality.map({ quality > $0 }) ?? true { bestFAAQuality = quality }
    }

    @usableFromInline
    mutating func refreshDerived() {
        fix.quality = ggaQuality ?? bestFAAQuality ?? .invalid
        if let gsaMode {
            fix.mode = gsaMode
        } else if fix.quality.hasPosition, fix.latitude != nil {
            fix.mode = fix.altitudeMSLMetres != nil ? .threeD : .twoD
        } else {
            fix.mode = .none
        }
    }

    private mutating func addSatellites(_ s: GSV, talker: GNSSSystem?) {
        if !skyUpdatedThisEpoch || sky.satellites.count + s.satelliteCount > SkyView.maximumEntries {
            sky.removeAll()
            skyUpdatedThisEpoch = true
            gsvExpected = 0
        }
        let key = GSVKey(system: talker, signalID: s.signalID ?? 0)
        if key != gsvKey || s.messageNumber == 1 || s.totalMessages != gsvExpected {
            if gsvExpected > 0 && gsvSeenMask.nonzeroBitCount < gsvExpected { sky.incompleteSets += 1 }
            gsvKey = key
            gsvExpected = s.totalMessages
            gsvSeenMask = 0
            gsvSetStart = sky.satellites.count
        }
        gsvSeenMask |= 1 << UInt32(min(s.messageNumber, 31))
        for index in 0..<s.satelliteCount {
            let satellite = s.satellites[index]
            guard let id = SatelliteID(nmeaNumber: satellite.number, system: talker) else { continue }
            sky.append(SkySatellite(id: id, signalID: key.signalID, elevationDegrees: satellite.elevationDegrees,
                                    azimuthDegrees: satellite.azimuthDegrees, snr: satellite.snr, used: false),
                       setStart: gsvSetStart)
        }
    }

    /// Whether the GSV set of the last GSV sentence is complete.
    public var gsvSetComplete: Bool { gsvExpected > 0 && gsvSeenMask.nonzeroBitCount >= gsvExpected }

    /// The satellites used, for the sky view in progress: this epoch's GSA sentences, or the
    /// previous epoch's while this one has none yet (receivers that send GSV before GSA).
    var usedInSky: SatelliteSet { used.isEmpty ? previousUsed : used }

    /// The latest fix to report: the epoch in progress, or, while an epoch that began untimed has
    /// not had its timed sentences yet (Quectel's GSV and GSA lead), the previous epoch's time,
    /// position and velocity under this epoch's mode and DOPs, as a receiver's last known fix.
    public var latestFix: Fix {
        guard epochBeganUntimed && !timedThisEpoch, let previous = previousFix else { return fix }
        var latest = fix
        latest.date = previous.date
        latest.time = previous.time
        latest.latitude = previous.latitude
        latest.longitude = previous.longitude
        latest.altitudeMSLMetres = previous.altitudeMSLMetres
        latest.geoidSeparationMetres = previous.geoidSeparationMetres
        latest.speedMetresPerSecond = previous.speedMetresPerSecond
        latest.courseDegrees = previous.courseDegrees
        latest.magneticVariationDegrees = previous.magneticVariationDegrees
        latest.headingDegrees = previous.headingDegrees
        latest.differentialAgeSeconds = previous.differentialAgeSeconds
        latest.differentialStation = previous.differentialStation
        if ggaQuality == nil && bestFAAQuality == nil { latest.quality = previous.quality }
        return latest
    }

    /// The DOPs that go with ``usedInSky``: this epoch's once it has a GSA, else the previous epoch's.
    var dopsInSky: DilutionOfPrecision {
        gsaThisEpoch ? DilutionOfPrecision(pdop: fix.pdop, hdop: fix.hdop, vdop: fix.vdop) : previousDOPs
    }
}

/// 1852 m / 3600 s.
let metresPerSecondPerKnot = 1852.0 / 3600.0

/// Position, horizontal and vertical dilution of precision, as a GSA group sends them.
struct DilutionOfPrecision: Sendable {
    var pdop: Double?
    var hdop: Double?
    var vdop: Double?
}
