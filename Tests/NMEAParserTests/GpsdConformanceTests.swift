import JSONText
import Foundation
import Testing
@testable import NMEAParser

/// One place where we deliberately differ from gpsd 3.22, and why.
struct DeliberateDifference: Sendable {
    let id: String
    let reason: String
    let matches: @Sendable (ReportDifference) -> Bool
}

/// A field that differs between gpsd's expected report and ours.
struct ReportDifference: CustomStringConvertible {
    let capture: String
    /// The sentence's place among the capture's sentences (0 first).
    var sentenceNumber = 0
    let sentence: String
    let reportClass: String
    let field: String
    let gpsd: Any?
    let ours: Any?
    var description: String { "\(capture) \(sentence.prefix(40))… \(reportClass).\(field): gpsd \(gpsd.map { "\($0)" } ?? "absent") ours \(ours.map { "\($0)" } ?? "absent")" }
}

private func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

/// Every place where our reports differ from gpsd's expected output, with the reason. The
/// conformance test asserts that each difference is explained by exactly one entry and that each
/// entry is seen.
let deliberateDifferences: [DeliberateDifference] = [
    DeliberateDifference(id: "empty-is-absent",
                         reason: "gpsd reads an empty GSV elevation, azimuth or SNR as 0; an empty field is absent, not zero") {
        ["el", "az", "ss"].contains($0.field.split(separator: ".").last ?? "") && number($0.gpsd) == 0 && $0.ours == nil
    },
    DeliberateDifference(id: "gpsd-1024-week-rollover",
                         reason: "gpsd 3.22 moves dates before its build-time GPS week forward by 1024 weeks (2015 -> 2034)") {
        $0.field == "time" && (($0.gpsd as? String)?.hasPrefix("203") ?? false) && (($0.ours as? String)?.hasPrefix("201") ?? false)
    },
    DeliberateDifference(id: "invalid-rmc-date",
                         reason: "gpsd takes no date from a status-V RMC, so it reports no time until the first valid RMC; we take the receiver's UTC date and time from it and report them with mode 1") {
        $0.reportClass == "TPV" && $0.field == "time" && $0.gpsd == nil && $0.ours != nil
            && ["beidou-bd", "beidou-gb", "skytraq"].contains($0.capture)
    },
    DeliberateDifference(id: "gpsd-model-magvar",
                         reason: "gpsd fills magvar from its own geomagnetic model when no sentence of the cycle sends it; we report only what the receiver said") {
        $0.field == "magvar" && $0.gpsd != nil && $0.ours == nil
    },
    DeliberateDifference(id: "gpsd-derived-speed",
                         reason: "gpsd computes speed from successive positions before the cycle's RMC/VTG arrives; we report only the receiver's speed") {
        $0.field == "speed" && $0.gpsd != nil && $0.ours == nil
    },
    DeliberateDifference(id: "gpsd-model-geoid",
                         reason: "gpsd fills an empty GGA geoid separation (and so altHAE) from its own geoid model; we leave it absent") {
        ($0.field == "geoidSep" || $0.field == "altHAE") && $0.gpsd != nil && $0.ours == nil && $0.capture == "quectelLC79D-1"
    },
    DeliberateDifference(id: "gpsd-gsv-later-part-system",
                         reason: "gpsd forgets the talker's system after the first sentence of a GSV set, so Galileo/BeiDou 33+ in later parts become SBAS PRNs 33-64; Quectel's Galileo 103 becomes PRN 0, which gpsd counts out of nSat and whose gap makes its SKY writer leave out the last satellite") {
        if $0.capture == "quectelLC79D-1" {
            guard $0.sentenceNumber >= quectelFirstEpochEnd else { return false }
            if $0.field == "nSat" { return number($0.ours) == number($0.gpsd).map { $0 + 1 } }
            return $0.field == "satellites.PRN" && $0.gpsd == nil && [303, 336].contains(number($0.ours))
        }
        guard $0.field == "satellites.PRN" else { return false }
        if let gpsd = number($0.gpsd) { return (33...64).contains(gpsd) && $0.ours == nil }
        if let ours = number($0.ours) { return (333...364).contains(ours) || (433...463).contains(ours) }
        return false
    },
    DeliberateDifference(id: "gpsd-gsa-ignores-system-id",
                         reason: "gpsd ignores the NMEA 4.10 GSA system ID, so Galileo and BeiDou satellites used in a $GNGSA come out unused (Quectel's system-3 satellite 103, Galileo E03, becomes PRN 0)") {
        ($0.capture == "ublox-zed-f9p-nmea" || $0.capture == "quectelLC79D-1")
            && (($0.field.hasSuffix("used") && number($0.gpsd) == 0 && number($0.ours) == 1)
                || ($0.field == "uSat" && (number($0.ours) ?? 0) > (number($0.gpsd) ?? 0)))
    },
    DeliberateDifference(id: "gpsd-signal-map-ignores-system",
                         reason: "gpsd maps NMEA signal IDs to u-blox sigids without regard to the system (Galileo E5a and L1-A swap, GPS L5 becomes L1), so rows of one satellite on two signals collide") {
        guard $0.capture == "quectelLC79D-1" else { return false }
        if $0.field == "satellites.PRN" {
            let early = $0.sentenceNumber < quectelFirstEpochEnd
            return [1, 3, 9].contains(number($0.gpsd ?? $0.ours)) && !(early && $0.gpsd == nil)
        }
        return $0.field == "satellites[303].ss" || $0.field == "satellites[336].ss"
    },
    DeliberateDifference(id: "gpsd-restarts-sky-mid-set",
                         reason: "gpsd restarts its sky at the first GSV part 1 that follows another sentence; the Quectel capture begins inside a GPS GSV set, so gpsd drops the GPS satellites the receiver had already reported in that epoch, and we keep them") {
        $0.capture == "quectelLC79D-1" && $0.sentenceNumber < quectelFirstEpochEnd && $0.reportClass == "SKY"
            && ($0.field == "nSat" || ($0.field == "satellites.PRN" && $0.gpsd == nil))
    },
    DeliberateDifference(id: "empty-course-keeps-vtg",
                         reason: "Quectel sends VTG (with the course) before RMC; when the RMC's course field is empty gpsd drops the track, while for us an empty field is absent, so the epoch's VTG course stands") {
        $0.capture == "quectelLC79D-1" && $0.field == "track" && $0.gpsd == nil && $0.ours != nil
    },
]

/// The first receiver epoch of the Quectel capture ends at its first GNGLL (sentence 16); the log
/// starts inside the GPS GSV set of that epoch.
let quectelFirstEpochEnd = 17

/// gpsd estimates these rather than reading them from the sentences; they are not compared.
let gpsdEstimatedFields: Set<String> = ["device", "ept", "epx", "epy", "epv", "eph", "eps", "epc", "epd", "sep", "climb",
                                        "magtrack", "xdop", "ydop", "tdop", "gdop", "leapseconds"]
/// Fields we add to gpsd's reports.
let ourAdditionalFields: Set<String> = ["hdop", "vdop", "pdop", "dgpsAge", "dgpsSta"]

struct RecordingConsumer: NMEAStreamConsumer, ~Copyable {
    var reporter = GpsdReporter()
    var entries: [(sentence: String, reports: [[String: Any]])] = []
    var writer = JSONWriter()

    mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler) {
        writer.removeAll()
        reporter.report(sentence, record: record, assembler: assembler, into: &writer)
        let lines = String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n")
        let reports = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        entries.append((String(sentence.string.dropFirst()), reports))
    }

    mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError) {
        entries.append((String(sentence.string.dropFirst()), []))
    }
}

/// Reads gpsd's regression file: each input sentence followed by the JSON reports it caused.
func readCheckFile(_ url: URL) throws -> [(sentence: String, reports: [[String: Any]])] {
    var entries: [(sentence: String, reports: [[String: Any]])] = []
    for line in try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline) {
        if line.hasPrefix("{") {
            let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            entries[entries.count - 1].reports.append(report)
        } else if line.hasPrefix("$") || line.hasPrefix("!") {
            var text = String(line.dropFirst())
            if let star = text.lastIndex(of: "*") { text = String(text[..<star]) }
            entries.append((text, []))
        }
    }
    return entries
}

func compare(_ capture: String, _ sentence: String, gpsd: [String: Any], ours: [String: Any]) -> [ReportDifference] {
    let reportClass = gpsd["class"] as? String ?? "?"
    var differences: [ReportDifference] = []
    func differ(_ field: String, _ a: Any?, _ b: Any?) {
        differences.append(ReportDifference(capture: capture, sentence: sentence, reportClass: reportClass, field: field, gpsd: a, ours: b))
    }
    func equal(_ field: String, _ a: Any?, _ b: Any?) -> Bool {
        if let x = number(a), let y = number(b), !(a is String), !(b is String) {
            let tolerance = (field == "lat" || field == "lon") ? 1e-8 : 1e-3
            return abs(x - y) <= tolerance
        }
        if let x = a as? String, let y = b as? String { return x == y }
        return a == nil && b == nil
    }
    for key in Set(gpsd.keys).union(ours.keys) where key != "satellites" && !gpsdEstimatedFields.contains(key) {
        if gpsd[key] == nil && ourAdditionalFields.contains(key) { continue }
        if !equal(key, gpsd[key], ours[key]) { differ(key, gpsd[key], ours[key]) }
    }
    let gpsdSatellites = gpsd["satellites"] as? [[String: Any]] ?? []
    let ourSatellites = ours["satellites"] as? [[String: Any]] ?? []
    // Rows are keyed by PRN and sigid; a satellite on two signals that share a key (no signal ID
    // sent) has one row per GSV set, paired in order.
    func key(_ row: [String: Any]) -> Int { (row["PRN"] as! NSNumber).intValue * 100 + ((row["sigid"] as? NSNumber)?.intValue ?? 0) }
    var ourRows = Dictionary(grouping: ourSatellites, by: key)
    for satellite in gpsdSatellites {
        guard let ourSatellite = ourRows[key(satellite)]?.first else {
            differ("satellites.PRN", satellite["PRN"], nil)
            continue
        }
        ourRows[key(satellite)]?.removeFirst()
        for field in Set(satellite.keys).union(ourSatellite.keys) where !equal(field, satellite[field], ourSatellite[field]) {
            differ("satellites[\(satellite["PRN"]!)].\(field)", satellite[field], ourSatellite[field])
        }
    }
    for satellite in ourRows.values.joined() { differ("satellites.PRN", nil, satellite["PRN"]) }
    return differences
}

@Suite("Conformance with gpsd 3.22's expected output")
struct GpsdConformanceTests {
    static let captures = ["beidou-bd", "beidou-gb", "nmea-rtk", "quectelLC79D-1", "skytraq", "ublox-zed-f9p-nmea"]

    /// Where each deliberate difference must show, capture by capture, and how many fields it
    /// accounts for there: we differ exactly there, and a change in any count fails.
    static let expectedDifferences: [String: [String: Int]] = [
        "beidou-bd": ["empty-is-absent": 38, "gpsd-1024-week-rollover": 8, "gpsd-derived-speed": 4, "gpsd-model-magvar": 9, "invalid-rmc-date": 6],
        "beidou-gb": ["empty-is-absent": 59, "gpsd-1024-week-rollover": 2, "gpsd-derived-speed": 1, "gpsd-model-magvar": 3, "invalid-rmc-date": 4],
        "nmea-rtk": ["gpsd-model-magvar": 1],
        "quectelLC79D-1": ["empty-is-absent": 278, "gpsd-model-geoid": 73, "gpsd-model-magvar": 37, "gpsd-signal-map-ignores-system": 411,
                           "gpsd-gsv-later-part-system": 87, "gpsd-gsa-ignores-system-id": 58, "gpsd-restarts-sky-mid-set": 23,
                           "empty-course-keeps-vtg": 1],
        "skytraq": ["gpsd-1024-week-rollover": 34, "invalid-rmc-date": 1],
        "ublox-zed-f9p-nmea": ["empty-is-absent": 6206, "gpsd-gsa-ignores-system-id": 771, "gpsd-model-magvar": 35, "gpsd-gsv-later-part-system": 406],
    ]

    static func differences(for capture: String) throws -> [ReportDifference] {
        let log = Fixtures.file("nmea/gpsd/\(capture).log"), check = Fixtures.file("nmea/gpsd/\(capture).log.chk")
        let expected = try readCheckFile(check)
        var stream = NMEAStream()
        var consumer = RecordingConsumer()
        let bytes = try Data(contentsOf: log)
        bytes.withUnsafeBytes { stream.feed($0, into: &consumer) }
        stream.finish(into: &consumer)
        var differences: [ReportDifference] = []
        var ours = consumer.entries[...]
        for (number, entry) in expected.enumerated() {
            // gpsd's lexer drops some sentences we accept (and the reverse); align on the text.
            guard let index = ours.firstIndex(where: { $0.sentence == entry.sentence }) else {
                differences.append(ReportDifference(capture: capture, sentence: entry.sentence, reportClass: "-", field: "sentence", gpsd: entry.sentence, ours: nil))
                continue
            }
            for skipped in ours[..<index] {
                differences.append(ReportDifference(capture: capture, sentence: skipped.sentence, reportClass: "-", field: "sentence", gpsd: nil, ours: skipped.sentence))
            }
            let mine = ours[index]
            ours = ours[(index + 1)...]
            let gpsdClasses = entry.reports.map { $0["class"] as! String }
            let ourClasses = mine.reports.map { $0["class"] as! String }
            if gpsdClasses != ourClasses {
                differences.append(ReportDifference(capture: capture, sentence: entry.sentence, reportClass: "-", field: "reports", gpsd: gpsdClasses, ours: ourClasses))
                continue
            }
            for (gpsdReport, ourReport) in zip(entry.reports, mine.reports) {
                differences += compare(capture, entry.sentence, gpsd: gpsdReport, ours: ourReport).map {
                    var difference = $0
                    difference.sentenceNumber = number
                    return difference
                }
            }
        }
        // Sentences after gpsd's last expected one: each is a difference unless it gave no report.
        for rest in ours where !rest.reports.isEmpty {
            differences.append(ReportDifference(capture: capture, sentenceNumber: expected.count, sentence: rest.sentence, reportClass: "-",
                                                field: "sentence", gpsd: nil, ours: rest.sentence))
        }
        return differences
    }

    @Test(arguments: captures)
    func capture(_ name: String) throws {
        let differences = try Self.differences(for: name)
        var unexplained: [String] = []
        for difference in differences where deliberateDifferences.filter({ $0.matches(difference) }).count != 1 {
            unexplained.append("\(difference)")
        }
        #expect(unexplained.isEmpty, "\(unexplained.count) differences not explained by exactly one entry, first: \(unexplained.prefix(5))")
        let expected = Self.expectedDifferences[name] ?? [:]
        var counts: [String: Int] = [:]
        for difference in differences {
            for entry in deliberateDifferences where entry.matches(difference) { counts[entry.id, default: 0] += 1 }
        }
        #expect(counts == expected, "deliberate differences counted in \(name)")
    }
}
