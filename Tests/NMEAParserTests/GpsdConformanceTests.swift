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
]

/// gpsd estimates these rather than reading them from the sentences; they are not compared.
let gpsdEstimatedFields: Set<String> = ["device", "ept", "epx", "epy", "epv", "eph", "eps", "epc", "epd", "sep", "climb",
                                        "magtrack", "xdop", "ydop", "tdop", "gdop", "leapseconds"]
/// Fields we add to gpsd's reports.
let ourAdditionalFields: Set<String> = ["hdop", "vdop", "pdop", "dgpsAge", "dgpsSta"]

struct RecordingConsumer: NMEAStreamConsumer {
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
    let ourByPRN = Dictionary(ourSatellites.map { (($0["PRN"] as! NSNumber).intValue * 100 + (($0["sigid"] as? NSNumber)?.intValue ?? 0), $0) }, uniquingKeysWith: { a, _ in a })
    for satellite in gpsdSatellites {
        let key = (satellite["PRN"] as! NSNumber).intValue * 100 + ((satellite["sigid"] as? NSNumber)?.intValue ?? 0)
        guard let ourSatellite = ourByPRN[key] else {
            differ("satellites.PRN", satellite["PRN"], nil)
            continue
        }
        for field in Set(satellite.keys).union(ourSatellite.keys) where !equal(field, satellite[field], ourSatellite[field]) {
            differ("satellites.\(field)", satellite[field], ourSatellite[field])
        }
    }
    let gpsdKeys = Set(gpsdSatellites.map { ($0["PRN"] as! NSNumber).intValue * 100 + (($0["sigid"] as? NSNumber)?.intValue ?? 0) })
    for (key, satellite) in ourByPRN where !gpsdKeys.contains(key) { differ("satellites.PRN", nil, satellite["PRN"]) }
    return differences
}

@Suite("Conformance with gpsd 3.22's expected output")
struct GpsdConformanceTests {
    static let captures = ["beidou-bd", "beidou-gb", "nmea-rtk", "quectelLC79D-1", "skytraq", "ublox-zed-f9p-nmea"]

    static func differences(for capture: String) throws -> [ReportDifference]? {
        guard let log = SharedData.file("nmea/gpsd/\(capture).log"), let check = SharedData.file("nmea/gpsd/\(capture).log.chk") else { return nil }
        let expected = try readCheckFile(check)
        var stream = NMEAStream()
        var consumer = RecordingConsumer()
        let bytes = try Data(contentsOf: log)
        bytes.withUnsafeBytes { stream.feed($0, into: &consumer) }
        stream.finish(into: &consumer)
        var differences: [ReportDifference] = []
        var ours = consumer.entries[...]
        for entry in expected {
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
                differences += compare(capture, entry.sentence, gpsd: gpsdReport, ours: ourReport)
            }
        }
        return differences
    }

    @Test(arguments: captures)
    func capture(_ name: String) throws {
        guard let differences = try Self.differences(for: name) else { return }
        for difference in differences {
            let explanations = deliberateDifferences.filter { $0.matches(difference) }
            #expect(explanations.count == 1, "\(difference)")
        }
    }
}
