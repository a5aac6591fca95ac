import Testing
@testable import NMEAParser

@Suite("Sentences and quirks")
struct DecoderTests {
    @Test func ggaWithRTKQualitiesAndAbsentFields() throws {
        guard case .gga(let fixed) = try decode("GNGGA,132819.60,4134.49795459,N,09345.03431421,W,4,10,0.9,278.161,M,-31.442,M,6.6,0133") else { Issue.record("not GGA"); return }
        #expect(fixed.quality == .rtkFixed)
        #expect(abs(fixed.latitude! - 41.574965909833) < 1e-12)
        #expect(abs(fixed.longitude! - -93.750571903500) < 1e-12)
        #expect(fixed.time == TimeOfDay(hour: 13, minute: 28, second: 19, nanosecond: 600_000_000))
        #expect(fixed.differentialStation == 133)
        guard case .gga(let float) = try decode("GPGGA,,,,,,5,,,,,,,,") else { Issue.record("not GGA"); return }
        #expect(float.quality == .rtkFloat)
        #expect(float.latitude == nil && float.altitudeMSLMetres == nil && float.time == nil && float.hdop == nil)
    }

    @Test func rmcDatesBeforeAndAfter2017StayPut() throws {
        guard case .rmc(let old) = try decode("GNRMC,053232.438,A,3114.8789,N,12135.2442,E,0.26,167.42,020315,,,A") else { Issue.record("not RMC"); return }
        #expect(old.date == CalendarDate(year: 2015, month: 3, day: 2))
        guard case .rmc(let west) = try decode("GNRMC,004020.00,A,4552.65398,S,17030.00660,E,0.101,,120419,11.5,W,A,V") else { Issue.record("not RMC"); return }
        #expect(west.magneticVariationDegrees == -11.5)
        #expect(west.navigationalStatus == UInt8(ascii: "V"))
        #expect(west.courseDegrees == nil)
    }

    @Test func gllWithASignedLongitudeIsKept() throws {
        guard case .gll(let gll) = try decode("GPGLL,4916.45,N,-12311.12,,225444,A,A") else { Issue.record("not GLL"); return }
        #expect(abs(gll.longitude! - -123.18533333333) < 1e-9)
        #expect(gll.isValid == true)
    }

    @Test func gsaSystemIDWinsOverTheTalker() throws {
        guard case .gsa(let gsa) = try decode("GNGSA,A,3,13,12,22,19,08,21,,,,,,,1.22,0.76,0.96,4") else { Issue.record("not GSA"); return }
        #expect(gsa.system == .beidou)
        let used = Array(gsa.satellites(talker: nil))
        #expect(used.count == 6)
        #expect(used.allSatisfy { $0.system == .beidou })
        guard case .gsa(let sirf) = try decode("BDGSA,A,3,02,03,04,,,,,,,,,,5.1,1.3,4.9,3.3") else { Issue.record("not GSA"); return }
        #expect(sirf.system == nil && sirf.pdop == 5.1 && sirf.vdop == 4.9)
        #expect(Array(sirf.satellites(talker: .beidou)) == [2, 3, 4].map { SatelliteID(system: .beidou, number: $0) })
    }

    @Test func gsvHexSignalID() throws {
        guard case .gsv(let gsv) = try decode("GBGSV,1,1,02,21,,,15,25,,,28,B") else { Issue.record("not GSV"); return }
        #expect(gsv.signalID == 0xB)
        #expect(gsv.satelliteCount == 2)
        #expect(gsv.satellites[0].elevationDegrees == nil && gsv.satellites[0].snr == 15)
        #expect(ubxSignalID(system: .beidou, nmeaSignalID: 0xB) == 2)
    }

    @Test(arguments: [(1, 1), (37, 37), (201, 1), (237, 37), (401, 1), (463, 63)])
    func beidouNumberingSchemes(raw: Int, number: Int) {
        #expect(SatelliteID(nmeaNumber: raw, system: .beidou) == SatelliteID(system: .beidou, number: number))
    }

    @Test func beidouAbove32InALaterGSVPartStaysBeiDou() {
        let text = framed("GBGSV,2,1,05,01,29,321,30,03,12,292,31,04,37,345,32,08,49,229,33") +
            framed("GBGSV,2,2,05,36,41,301,35") + framed("GNRMC,004020.00,A,4552.65398,S,17030.00660,E,0.1,,120419,,,A")
        let result = epochs(of: text)
        let sky = result.epochs[0].1
        #expect(sky.satellites.last?.id == SatelliteID(system: .beidou, number: 36))
        #expect(sky.seenCount(.beidou) == 5 && sky.seenCount(.sbas) == 0)
    }

    @Test func epochDateRollsOverAtMidnight() {
        let text = framed("GPRMC,235959.00,A,2216.26,N,11334.60,E,0.0,,311226,,,A") + framed("GPGGA,000000.00,2216.26,N,11334.60,E,1,08,0.9,5.0,M,-3.1,M,,")
        let result = epochs(of: text)
        #expect(result.epochs.count == 2)
        #expect(result.epochs[1].0.date == CalendarDate(year: 2027, month: 1, day: 1))
    }

    /// Quectel sends each epoch's GSV and GSA before its RMC, GGA and GLL: the sky and the used
    /// satellites belong to the fix that follows them, not to the one before.
    @Test func skyAndGSASentFirstBelongToTheirOwnEpoch() {
        func epoch(_ time: String, satellites: [String], snr: Int) -> String {
            let rows = satellites.map { "\($0),45,120,\(snr)" }.joined(separator: ",")
            return framed("GPGSV,1,1,0\(satellites.count),\(rows),1") +
                framed("GNGSA,A,3,\((satellites + Array(repeating: "", count: 12 - satellites.count)).joined(separator: ",")),1.6,0.9,1.3,1") +
                framed("GNRMC,\(time),A,5002.4535,N,01958.8318,E,0.0,16.6,301120,,,A,V") +
                framed("GNGGA,\(time),5002.4535,N,01958.8318,E,1,\(satellites.count),0.9,202.1,M,,M,,") +
                framed("GNGLL,5002.4535,N,01958.8318,E,\(time),A,A")
        }
        let text = epoch("080359.00", satellites: ["01", "03"], snr: 40) + epoch("080400.00", satellites: ["04", "09", "17"], snr: 41)
            + epoch("080401.00", satellites: ["21"], snr: 42)
        let result = epochs(of: text)
        #expect(result.epochs.count == 3)
        for (index, expected) in [2, 3, 1].enumerated() {
            let (fix, sky) = result.epochs[index]
            #expect(fix.satellitesUsed[Int(GNSSSystem.gps.rawValue)] == UInt8(expected), "epoch \(index)")
            #expect(sky.satellites.count == expected && sky.satellites.allSatisfy(\.used), "epoch \(index)")
            #expect(sky.satellites.first?.snr == 40 + index)
        }
        #expect(result.epochs[1].0.time?.description.hasPrefix("08:04:00") == true)
    }

    /// Before a receiver knows the time its sentences carry none, so no epoch closes; the sky
    /// view must not grow with every GSV set meanwhile (a gateway indoors can stay so for days).
    @Test func skyViewStaysBoundedWhileNoEpochCloses() {
        var cycle = ""
        for part in 1...3 {
            let rows = (1...4).map { format2((part - 1) * 4 + $0) + ",45,120,40" }.joined(separator: ",")
            cycle += framed("GPGSV,3,\(part),12,\(rows)")
        }
        cycle += framed("GPGGA,,,,,,0,00,,,M,,M,,")
        var stream = NMEAStream()
        var collector = EpochCollector()
        let bytes = Array(cycle.utf8)
        var largest = 0
        for _ in 0..<2_000 {
            bytes.withUnsafeBytes { stream.feed($0, into: &collector) }
            largest = max(largest, stream.assembler.sky.satellites.count)
        }
        #expect(collector.epochs.isEmpty)
        #expect(largest <= SkyView.maximumEntries)
        #expect(stream.assembler.sky.satellites.count >= 12)
    }

    /// A noisy line can frame endless made-up addresses: only the first 256 are counted one by
    /// one, the rest together, and every sentence is still counted.
    @Test func statisticsKeepABoundedNumberOfAddresses() {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var text = ""
        for number in 0..<1_000 {
            let type = String([letters[number / 676 % 26], letters[number / 26 % 26], letters[number % 26]])
            text += "$GP\(type),1\r\n"
        }
        let statistics = epochs(of: text).stream.statistics
        #expect(statistics.sentencesByAddress.count == NMEAStatistics.maximumAddresses)
        #expect(statistics.otherAddresses == 1_000 - NMEAStatistics.maximumAddresses)
        #expect(statistics.sentences == 1_000)
    }

    /// Sentences are counted under talker and type, `P` and the manufacturer, or the first five
    /// characters of an address of another length.
    @Test func statisticsCountEachAddressKind() {
        let bodies = ["GPGGA,1", "GBGSV,1", "GPGGA,2", "PSRFEPE,1", "PSRFTXT,2", "PAB,1", "GPGGAX,1", "ABC,1", ",1", ",2"]
        let statistics = epochs(of: bodies.map { "$\($0)\r\n" }.joined()).stream.statistics
        let counts = Dictionary(uniqueKeysWithValues: statistics.sentencesByAddress.map { ($0.key.description, $0.value) })
        #expect(counts == ["GPGGA": 3, "GBGSV": 1, "PSRF": 2, "PAB": 1, "ABC": 1, "": 2])
        #expect(statistics.sentences == bodies.count)
    }

    @Test func zdaCenturyAppliesToRMC() {
        let text = framed("GPZDA,120000.00,01,01,2079,00,00") + framed("GPRMC,120001.00,A,2216.26,N,11334.60,E,0.0,,010180,,,A")
        let result = epochs(of: text)
        #expect(result.epochs.last?.0.date == CalendarDate(year: 2080, month: 1, day: 1))
    }

    @Test func fixQualityAndUsedSatellitesPerSystem() {
        let text = framed("GNGGA,080000.00,2216.26,N,11334.60,E,5,18,0.62,12.40,M,-3.10,M,1.0,0101") +
            framed("GNGSA,A,3,05,13,15,,,,,,,,,,1.10,0.62,0.91,1") + framed("GNGSA,A,3,201,09,,,,,,,,,,,1.10,0.62,0.91,4") +
            framed("GNRMC,080000.00,A,2216.26,N,11334.60,E,2.10,38.5,291126,,,F,V")
        let result = epochs(of: text)
        let fix = result.epochs[0].0
        #expect(fix.quality == .rtkFloat && fix.mode == .threeD)
        #expect(fix.satellitesUsed[Int(GNSSSystem.gps.rawValue)] == 3 && fix.satellitesUsed[Int(GNSSSystem.beidou.rawValue)] == 2)
        #expect(fix.altitudeHAEMetres == 9.3)
        #expect(abs(fix.speedMetresPerSecond! - 2.1 * 1852 / 3600) < 1e-12)
    }

    @Test(arguments: [
        ("GPGGA,12x519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", 1, NMEADecodeError.Code.invalidTime),
        ("GPGGA,123519,4807.0x8,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", 2, .invalidCoordinate),
        ("GPGGA,123519,4867.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", 2, .outOfRange),
        ("GPGGA,123519,4807.038,Q,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", 3, .invalidCoordinate),
        ("GPGGA,123519,4807.038,N,01131.000,E,9,08,0.9,545.4,M,46.9,M,,", 6, .outOfRange),
        ("GPRMC,123519,A,4807.038,N,01131.000,E,0.0,,321399,,,A", 9, .outOfRange),
        ("GPGSV,2,3,08,01,29,321,30", 2, .outOfRange),
        ("GPGGA,123519", 2, .tooFewFields),
        ("GPZDA,120000.00,01,13,2020,00,00", 3, .outOfRange),
    ])
    func malformedInputGivesATypedErrorWithItsField(body: String, field: Int, code: NMEADecodeError.Code) {
        #expect(throws: NMEADecodeError(code, field: field)) { try decode(body) }
    }
}

private func format2(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
