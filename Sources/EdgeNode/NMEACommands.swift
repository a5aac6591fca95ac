import JSONText
import NMEAParser

/// What `edge-node nmea decode` and `nmea stats` do, callable from tests.
public enum NMEACommands {
    /// Options shared by the NMEA commands.
    public struct Options: Sendable {
        /// Framer settings (length limit and tolerance, checksum policy).
        public var framer = NMEAFramer.Configuration()
        /// Creates defaults.
        public init() {}
    }

    /// Decodes `path` (or standard input): gpsd-style JSON lines when `json`, else one table row per epoch.
    /// Sentences that do not decode are skipped, as gpsd skips them, and reported to `diagnostics`
    /// as `FILE:LINE: what` (the first ten), with a closing count of them and of the bytes the
    /// framer discarded.
    /// - Throws: ``EdgeNodeError`` when the input cannot be read.
    public static func decode(path: String?, json: Bool, options: Options = Options(), output: inout OutputSink,
                              diagnostics: inout OutputSink) throws(EdgeNodeError) {
        let source = try ByteSource(path: path)
        var stream = NMEAStream(framer: options.framer)
        let failures: DecodeFailureLog
        if json {
            var consumer = GpsdJSONConsumer(failures: DecodeFailureLog(name: source.name))
            try source.forEachChunk { chunk in
                stream.feed(chunk, into: &consumer)
                consumer.writer.withBytes { output.write($0) }
                consumer.writer.removeAll()
                consumer.failures.write(after: chunk, to: &diagnostics)
            }
            stream.finish(into: &consumer)
            consumer.writer.withBytes { output.write($0) }
            consumer.failures.write(after: UnsafeRawBufferPointer(start: nil, count: 0), to: &diagnostics)
            failures = consumer.failures
        } else {
            var consumer = EpochTableConsumer(failures: DecodeFailureLog(name: source.name))
            output.write(EpochTableConsumer.header)
            try source.forEachChunk { chunk in
                stream.feed(chunk, into: &consumer)
                output.write(consumer.text)
                consumer.text = ""
                consumer.failures.write(after: chunk, to: &diagnostics)
            }
            stream.finish(into: &consumer)
            output.write(consumer.text)
            consumer.failures.write(after: UnsafeRawBufferPointer(start: nil, count: 0), to: &diagnostics)
            failures = consumer.failures
        }
        output.flush()
        diagnostics.write(failures.summary(stream.framer.discards))
        diagnostics.flush()
    }

    /// Parses and assembles `path` (or standard input) and returns the statistics, and the line
    /// and address of the first sentence that did not decode (nil if none did, or from a pipe).
    /// - Throws: ``EdgeNodeError`` when the input cannot be read.
    public static func statistics(path: String?, options: Options = Options()) throws(EdgeNodeError)
        -> (statistics: NMEAStatistics, framer: NMEAFramer, firstFailure: (line: Int, address: String)?) {
        let source = try ByteSource(path: path)
        var stream = NMEAStream(framer: options.framer)
        var consumer = NullConsumer()
        try source.forEachChunk { chunk in stream.feed(chunk, into: &consumer) }
        stream.finish(into: &consumer)
        let first = stream.statistics.firstDecodeError.flatMap { source.sentence(atOffset: $0.offset) }
        return (stream.statistics, stream.framer, first)
    }

    /// The statistics as text: JSON when `json`, else a readable report.
    public static func render(_ statistics: NMEAStatistics, _ framer: NMEAFramer, firstFailure: (line: Int, address: String)? = nil,
                              json: Bool) -> String {
        let discards = framer.discards
        let addresses = statistics.sentencesByAddress.sorted { $0.key.description < $1.key.description }
        let qualities = FixQuality.allCases.filter { statistics.epochsByQuality[$0.rawValue] > 0 }
        let systems = GNSSSystem.allCases.filter { statistics.maximumSeen[Int($0.rawValue)] > 0 || statistics.maximumUsed[Int($0.rawValue)] > 0 }
        if json {
            var w = JSONWriter()
            w.raw("{\"bytes\":"); w.integer(framer.bytesConsumed)
            w.key("sentences"); w.integer(framer.sentencesDelivered)
            w.key("by_address"); w.byte(UInt8(ascii: "{"))
            for (index, entry) in addresses.enumerated() {
                if index > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(entry.key.description); w.byte(UInt8(ascii: ":")); w.integer(entry.value)
            }
            w.byte(UInt8(ascii: "}"))
            w.key("other_addresses"); w.integer(statistics.otherAddresses)
            w.key("checksum_failures"); w.integer(discards.badChecksum + statistics.flaggedChecksums)
            w.key("decode_errors"); w.integer(statistics.decodeErrors)
            w.key("first_decode_error")
            if let first = statistics.firstDecodeError {
                w.byte(UInt8(ascii: "{"))
                w.key("line", first: true)
                if let firstFailure { w.integer(firstFailure.line) } else { w.raw("null") }
                w.key("byte"); w.integer(first.offset)
                w.key("address")
                if let firstFailure { w.string(firstFailure.address) } else { w.raw("null") }
                w.key("field"); w.integer(first.error.field)
                w.key("error"); w.string(first.error.code.description)
                w.byte(UInt8(ascii: "}"))
            } else {
                w.raw("null")
            }
            w.key("discarded_bytes"); w.byte(UInt8(ascii: "{"))
            w.key("garbage", first: true); w.integer(discards.garbageBytes)
            w.key("truncated"); w.integer(discards.truncatedBytes)
            w.key("too_long"); w.integer(discards.tooLongBytes)
            w.key("bad_checksum"); w.integer(discards.badChecksumBytes)
            w.key("malformed_checksum"); w.integer(discards.malformedChecksumBytes)
            w.byte(UInt8(ascii: "}"))
            w.key("epochs"); w.integer(statistics.epochs)
            w.key("fixes_by_quality"); w.byte(UInt8(ascii: "{"))
            for (index, quality) in qualities.enumerated() {
                if index > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(quality.jsonName); w.byte(UInt8(ascii: ":")); w.integer(statistics.epochsByQuality[quality.rawValue])
            }
            w.byte(UInt8(ascii: "}"))
            for (key, values) in [("satellites_seen_max", statistics.maximumSeen), ("satellites_used_max", statistics.maximumUsed)] {
                w.byte(UInt8(ascii: ",")); w.string(key); w.raw(":{")
                for (index, system) in systems.enumerated() {
                    if index > 0 { w.byte(UInt8(ascii: ",")) }
                    w.string(system.description); w.byte(UInt8(ascii: ":")); w.integer(values[Int(system.rawValue)])
                }
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("}\n")
            return String(decoding: w.bytes, as: UTF8.self)
        }
        var text = "bytes read            \(framer.bytesConsumed)\n"
        text += "sentences             \(framer.sentencesDelivered)\n"
        for entry in addresses { text += "  \(entry.key.description.padding(8))\(entry.value)\n" }
        if statistics.otherAddresses > 0 {
            text += "  \("others".padding(8))\(statistics.otherAddresses) (addresses beyond the first \(NMEAStatistics.maximumAddresses), counted together)\n"
        }
        text += "checksum failures     \(discards.badChecksum + statistics.flaggedChecksums)\n"
        text += "decode errors         \(statistics.decodeErrors)"
        if let first = statistics.firstDecodeError {
            let place = firstFailure.map { "on line \($0.line): \($0.address) " } ?? "at byte \(first.offset): "
            text += " (the first \(place)\(first.error))"
        }
        text += "\ndiscarded bytes       \(discards.totalBytes) (garbage \(discards.garbageBytes), truncated \(discards.truncatedBytes), "
        text += "too long \(discards.tooLongBytes), bad checksum \(discards.badChecksumBytes), malformed checksum \(discards.malformedChecksumBytes))\n"
        text += "epochs                \(statistics.epochs)\n"
        for quality in qualities { text += "  \(quality.description.padding(16))\(statistics.epochsByQuality[quality.rawValue])\n" }
        text += "satellites (max seen / max used per epoch)\n"
        for system in systems {
            text += "  \(system.description.padding(10))\(statistics.maximumSeen[Int(system.rawValue)]) / \(statistics.maximumUsed[Int(system.rawValue)])\n"
        }
        return text
    }
}

extension FixQuality {
    /// The snake-case name used in JSON output.
    public var jsonName: String {
        switch self {
        case .invalid: "no_fix"
        case .gps: "gps"
        case .differential: "dgps"
        case .pps: "pps"
        case .rtkFixed: "rtk_fixed"
        case .rtkFloat: "rtk_float"
        case .deadReckoning: "dead_reckoning"
        case .manual: "manual"
        case .simulation: "simulation"
        }
    }
}

extension NMEAFramer.Discards {
    /// The reasons bytes were discarded, with their byte counts: `garbage 402, bad checksum 81`.
    var reasons: String {
        [("garbage", garbageBytes), ("truncated", truncatedBytes), ("too long", tooLongBytes),
         ("bad checksum", badChecksumBytes), ("malformed checksum", malformedChecksumBytes)]
            .filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}

/// Writes gpsd-style reports for each sentence.
struct GpsdJSONConsumer: NMEAStreamConsumer, ~Copyable {
    var reporter = GpsdReporter()
    var writer = JSONWriter(capacity: 1 << 17)
    var failures = DecodeFailureLog(name: "-")

    mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler) {
        reporter.report(sentence, record: record, assembler: assembler, into: &writer)
    }

    mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError) {
        failures.add(sentence, error)
    }
}

/// A sentence that framed but did not decode: where it is in the input, and why.
struct DecodeFailure: CustomStringConvertible {
    let streamOffset: Int
    /// Its address field as received (`GPGGA`, `PGRMZ`): the sentence itself is only borrowed.
    let address: String
    let error: NMEADecodeError

    init(_ sentence: NMEASentence, _ error: NMEADecodeError) {
        streamOffset = sentence.streamOffset
        address = sentence[0].string
        self.error = error
    }

    /// The sentence and what was wrong, such as `GPGGA field 1: expected a time hhmmss[.sss]`.
    var description: String { "\(address) \(error)" }
}

/// The sentences `nmea decode` skipped: the first ``listed`` as `FILE:LINE: what`, then a count.
struct DecodeFailureLog {
    /// How many failures are listed one by one.
    static let listed = 10
    private let name: String
    private var count = 0
    private var unwritten: [DecodeFailure] = []
    /// Line feeds are counted only until the last listed failure is written.
    private var lines = LineCounter()
    private var chunkStart = 0

    init(name: String) { self.name = name }

    /// Counts a sentence that did not decode, and keeps it if it is among the first ``listed``.
    mutating func add(_ sentence: NMEASentence, _ error: NMEADecodeError) {
        count += 1
        if count <= Self.listed { unwritten.append(DecodeFailure(sentence, error)) }
    }

    /// Writes the failures kept while `chunk`, the stream's next, was fed, each with its line.
    mutating func write(after chunk: UnsafeRawBufferPointer, to diagnostics: inout OutputSink) {
        for failure in unwritten {
            lines.count(chunk, startingAt: chunkStart, upTo: failure.streamOffset)
            diagnostics.write("\(name):\(lines.line): \(failure)\n")
        }
        unwritten.removeAll(keepingCapacity: true)
        if count < Self.listed { lines.count(chunk, startingAt: chunkStart, upTo: chunkStart + chunk.count) }
        chunkStart += chunk.count
    }

    /// One closing line when sentences were skipped or bytes discarded, else nothing.
    func summary(_ discards: NMEAFramer.Discards) -> String {
        guard count > 0 || discards.totalBytes > 0 else { return "" }
        var parts: [String] = []
        if count > 0 {
            parts.append("\(count) sentence\(count == 1 ? "" : "s") did not decode" + (count > Self.listed ? " (the first \(Self.listed) listed)" : ""))
        }
        if discards.totalBytes > 0 { parts.append("\(discards.totalBytes) bytes discarded (\(discards.reasons))") }
        if name != "-" { parts.append("`edge-node nmea stats \(name)` counts them by kind") }
        return "\(name): " + parts.joined(separator: "; ") + "\n"
    }
}

/// Collects nothing; statistics live in the stream.
struct NullConsumer: NMEAStreamConsumer {}

/// One readable row per epoch.
struct EpochTableConsumer: NMEAStreamConsumer {
    static let header = "utc                       quality    mode  latitude       longitude       alt MSL m  speed m/s  hdop  used (seen) per system\n"
    var text = ""
    var failures = DecodeFailureLog(name: "-")

    mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError) {
        failures.add(sentence, error)
    }

    mutating func epoch(_ fix: Fix, _ sky: SkyView) {
        var time = fix.time?.description ?? "--:--:--.---"
        if let date = fix.date { time = "\(date) \(time)" }
        var row = time.padding(26) + fix.quality.description.padding(11) + (fix.mode == .threeD ? "3D" : fix.mode == .twoD ? "2D" : "--").padding(6)
        row += (fix.latitude.map { format($0, 9) } ?? "-").padding(15) + (fix.longitude.map { format($0, 9) } ?? "-").padding(16)
        row += (fix.altitudeMSLMetres.map { format($0, 2) } ?? "-").padding(11) + (fix.speedMetresPerSecond.map { format($0, 3) } ?? "-").padding(11)
        row += (fix.hdop.map { format($0, 2) } ?? "-").padding(6)
        var systems: [String] = []
        for system in GNSSSystem.allCases {
            let used = Int(fix.satellitesUsed[Int(system.rawValue)]), seen = sky.seenCount(system)
            if used > 0 || seen > 0 { systems.append("\(system) \(used) (\(seen))") }
        }
        text += row + systems.joined(separator: ", ") + "\n"
    }
}
