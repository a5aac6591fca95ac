import JSONText

/// Writes gpsd-style JSON reports (`TPV`, `SKY`, `GST`) at the same points in the stream where
/// gpsd 3.22 emits them, so that gpsd tooling and habits carry over.
///
/// gpsd's emission points come from its end-of-cycle detector, reproduced here: a timestamped
/// sentence whose time differs from the previous one starts a cycle, the type of the timestamped
/// sentence before it is learnt as the cycle ender, and a TPV is written when an ender arrives.
/// Until an ender is learnt (or after an empty RMC/GGA makes the cycle unreliable) every sentence
/// that sets a position or mode writes a TPV. A SKY follows each complete, sane GSV set; a GST
/// follows each GST sentence. The report contents are ours, from ``EpochAssembler``; where they
/// differ from gpsd's, gpsd is wrong (see the conformance test's table).
public struct GpsdReporter: Sendable {
    private var cycleEnders: Set<UInt64> = []
    private var lastTag: UInt64 = 0
    private var lastFractionalTime = 0.0
    private var thisFractionalTime = 0.0
    private var cycleEndReliable = false
    private var seenNonGPSGSV = false
    private var haveFractionalTime = false

    /// Creates a reporter.
    public init() {
        cycleEnders.reserveCapacity(32)
    }

    /// Writes the reports, one JSON object per line, that `sentence` causes, after `assembler` has
    /// ingested its `record`.
    public mutating func report(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler, into out: inout JSONWriter) {
        let address = sentence.address
        let tag = address.isProprietary ? ShortCode(sentence[0]).packed | 1 << 63 : UInt64(address.type)
        var latch: Double?
        var setsPositionOrMode = false
        var forced = false
        var satellites = false
        var gst = false

        switch record {
        case .gga(let s):
            latch = fractionalTime(sentence[1])
            setsPositionOrMode = true
            if s.quality == .invalid && sentence[1].isEmpty { forced = true }
        case .rmc(let s):
            setsPositionOrMode = true
            if s.isValid == true {
                if s.time != nil && s.date != nil { latch = fractionalTime(sentence[1]) }
            } else if sentence[1].isEmpty || sentence[9].isEmpty {
                forced = true
            }
        case .gll:
            latch = fractionalTime(sentence[5])
            setsPositionOrMode = true
        case .gns:
            latch = fractionalTime(sentence[1])
            let status = sentence[13].first
            setsPositionOrMode = status != UInt8(ascii: "U") && status != UInt8(ascii: "V")
        case .gsa:
            setsPositionOrMode = true
        case .gbs:
            latch = fractionalTime(sentence[1])
        case .gsv(let s):
            if address.talkerSystem != .gps { seenNonGPSGSV = true }
            let sane = assembler.sky.satellites.contains { ($0.azimuthDegrees ?? 0) != 0 }
            satellites = s.messageNumber == s.totalMessages && sane && !(address.talkerSystem == .gps && seenNonGPSGSV)
        case .gst:
            gst = true
        case .proprietary:
            // SiRF's PSRFEPE carries the epoch time in field 1, and gpsd latches on it.
            if sentence[0].equals("PSRFEPE") { latch = fractionalTime(sentence[1]) }
            // SkyTraq's PSTI,030 (16 fields with the address): invalid (status V or FAA mode N)
            // sets the mode; valid sets the position and carries the epoch time in fields 2 and 12.
            if sentence[0].equals("PSTI") && sentence[1].equals("030") && sentence.fieldCount == 16 {
                if sentence[3].equals("V") || sentence[13].equals("N") {
                    setsPositionOrMode = true
                } else if sentence[3].equals("A") {
                    if !sentence[2].isEmpty && !sentence[12].isEmpty { latch = fractionalTime(sentence[2]) }
                    setsPositionOrMode = !sentence[4].isEmpty && !sentence[6].isEmpty
                }
            }
        default:
            break
        }

        if forced { cycleEndReliable = false }
        var reportFix = forced
        if let latch {
            lastFractionalTime = haveFractionalTime ? thisFractionalTime : 0
            thisFractionalTime = latch
            haveFractionalTime = true
            if (thisFractionalTime - lastFractionalTime).magnitude > 0.01, lastTag != 0, !cycleEnders.contains(lastTag) {
                cycleEnders.insert(lastTag)
                cycleEndReliable = true
            }
            if cycleEnders.contains(tag) { reportFix = true }
            lastTag = tag
        }
        if !cycleEndReliable && setsPositionOrMode { reportFix = true }

        if reportFix { writeTPV(assembler.latestFix, into: &out) }
        if gst { writeGST(assembler.fix, into: &out) }
        if satellites { writeSKY(assembler.sky, used: assembler.usedInSky, dops: assembler.dopsInSky, into: &out) }
    }

    private func fractionalTime(_ field: NMEAField) -> Double? {
        field.isEmpty ? nil : parseDecimal(field.bytes)
    }

    /// Writes one TPV object and a newline.
    public func writeTPV(_ fix: Fix, into out: inout JSONWriter) {
        out.raw("{\"class\":\"TPV\"")
        let status = fix.quality.gpsdStatus
        if status >= 2 {
            out.key("status")
            out.integer(status)
        }
        out.key("mode")
        out.integer(fix.mode.rawValue)
        if let date = fix.date, let time = fix.time {
            out.key("time")
            out.timestamp(date: date, time: time)
        }
        if fix.mode >= .twoD {
            if let latitude = fix.latitude { out.key("lat"); out.fixed(latitude, decimals: 9) }
            if let longitude = fix.longitude { out.key("lon"); out.fixed(longitude, decimals: 9) }
            if let hae = fix.altitudeHAEMetres { out.key("altHAE"); out.fixed(hae, decimals: 4) }
            if let msl = fix.altitudeMSLMetres {
                out.key("altMSL"); out.fixed(msl, decimals: 4)
                out.key("alt"); out.fixed(msl, decimals: 4)
            }
            if let track = fix.courseDegrees { out.key("track"); out.fixed(track, decimals: 4) }
            if let variation = fix.magneticVariationDegrees { out.key("magvar"); out.fixed(variation, decimals: 1) }
            if let speed = fix.speedMetresPerSecond { out.key("speed"); out.fixed(speed, decimals: 3) }
            if let separation = fix.geoidSeparationMetres { out.key("geoidSep"); out.fixed(separation, decimals: 3) }
            if let age = fix.differentialAgeSeconds { out.key("dgpsAge"); out.fixed(age, decimals: 1) }
            if let station = fix.differentialStation { out.key("dgpsSta"); out.integer(station) }
        }
        writeDOPs(DilutionOfPrecision(pdop: fix.pdop, hdop: fix.hdop, vdop: fix.vdop), into: &out)
        out.raw("}\n")
    }

    /// Writes one SKY object and a newline; `used` names the satellites used in the solution, and
    /// `dops` comes from the same GSA group.
    func writeSKY(_ sky: SkyView, used: SatelliteSet, dops: DilutionOfPrecision, into out: inout JSONWriter) {
        out.raw("{\"class\":\"SKY\"")
        writeDOPs(dops, into: &out)
        var usedCount = 0
        for satellite in sky.satellites where used.marks(satellite) { usedCount += 1 }
        out.key("nSat")
        out.integer(sky.satellites.count)
        out.key("uSat")
        out.integer(usedCount)
        if !sky.satellites.isEmpty {
            out.raw(",\"satellites\":[")
            for (index, satellite) in sky.satellites.enumerated() {
                out.raw(index == 0 ? "{\"PRN\":" : ",{\"PRN\":")
                out.integer(satellite.id.gpsdPRN)
                // Whole degrees and dB-Hz, written as gpsd's %.1f writes them.
                if let elevation = satellite.elevationDegrees { out.raw(",\"el\":"); out.integer(elevation); out.raw(".0") }
                if let azimuth = satellite.azimuthDegrees { out.raw(",\"az\":"); out.integer(azimuth); out.raw(".0") }
                if let snr = satellite.snr { out.raw(",\"ss\":"); out.integer(snr); out.raw(".0") }
                out.raw(used.marks(satellite) ? ",\"used\":true,\"gnssid\":" : ",\"used\":false,\"gnssid\":")
                out.integer(Int(satellite.id.system.rawValue))
                out.raw(",\"svid\":")
                out.integer(satellite.id.number)
                let sigid = ubxSignalID(system: satellite.id.system, nmeaSignalID: satellite.signalID)
                if sigid != 0 { out.raw(",\"sigid\":"); out.integer(sigid) }
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "]"))
        }
        out.raw("}\n")
    }

    /// Writes one GST object and a newline.
    public func writeGST(_ fix: Fix, into out: inout JSONWriter) {
        out.raw("{\"class\":\"GST\"")
        if let date = fix.date, let time = fix.time {
            out.key("time")
            out.timestamp(date: date, time: time)
        }
        if let value = fix.rangeRMS { out.key("rms"); out.fixed(value, decimals: 3) }
        if let value = fix.errorEllipseMajorMetres { out.key("major"); out.fixed(value, decimals: 3) }
        if let value = fix.errorEllipseMinorMetres { out.key("minor"); out.fixed(value, decimals: 3) }
        if let value = fix.errorEllipseOrientationDegrees { out.key("orient"); out.fixed(value, decimals: 3) }
        if let value = fix.latitudeErrorMetres { out.key("lat"); out.fixed(value, decimals: 3) }
        if let value = fix.longitudeErrorMetres { out.key("lon"); out.fixed(value, decimals: 3) }
        if let value = fix.altitudeErrorMetres { out.key("alt"); out.fixed(value, decimals: 3) }
        out.raw("}\n")
    }

    private func writeDOPs(_ dops: DilutionOfPrecision, into out: inout JSONWriter) {
        if let value = dops.vdop { out.key("vdop"); out.fixed(value, decimals: 2) }
        if let value = dops.hdop { out.key("hdop"); out.fixed(value, decimals: 2) }
        if let value = dops.pdop { out.key("pdop"); out.fixed(value, decimals: 2) }
    }
}

extension FixQuality {
    /// gpsd's `status` number: 0 none, 1 fix, 2 DGPS, 3 RTK fixed, 4 RTK float, 5 dead reckoning,
    /// 7 time only (manual), 8 simulated, 9 PPS.
    public var gpsdStatus: Int {
        switch self {
        case .invalid: 0
        case .gps: 1
        case .differential: 2
        case .rtkFixed: 3
        case .rtkFloat: 4
        case .deadReckoning: 5
        case .manual: 7
        case .simulation: 8
        case .pps: 9
        }
    }
}

/// u-blox signal numbering (gpsd's `sigid`) for an NMEA 4.10+ signal ID, per system.
/// gpsd 3.22 maps without regard to the system and reads hex IDs such as BeiDou's `B` (B2I) as 0.
public func ubxSignalID(system: GNSSSystem, nmeaSignalID: Int) -> Int {
    switch (system, nmeaSignalID) {
    case (.gps, 6), (.qzss, 6): 3        // L2 CL
    case (.gps, 5), (.qzss, 5): 4        // L2 CM
    case (.gps, 7), (.qzss, 7): 6        // L5 I
    case (.gps, 8), (.qzss, 8): 7        // L5 Q
    case (.glonass, 3): 2                // L2 OF
    case (.galileo, 1): 3                // E5a I
    case (.galileo, 2): 5                // E5b I
    case (.beidou, 0xB): 2               // B2I D1
    case (.beidou, 3): 5                 // B1C
    case (.beidou, 5): 7                 // B2a
    default: 0
    }
}
