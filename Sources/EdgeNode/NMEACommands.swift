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
    /// - Throws: ``EdgeNodeError`` when the input cannot be read.
    public static func decode(path: String?, json: Bool, options: Options = Options(), output: inout OutputSink) throws(EdgeNodeError) {
        let source = try ByteSource(path: path)
        var stream = NMEAStream(framer: options.framer)
        if json {
            var consumer = GpsdJSONConsumer()
            try source.forEachChunk { chunk in
                stream.feed(chunk, into: &consumer)
                consumer.writer.withBytes { output.write($0) }
                consumer.writer.removeAll()
            }
            stream.finish(into: &consumer)
            consumer.writer.withBytes { output.write($0) }
        } else {
            var consumer = EpochTableConsumer()
            output.write(EpochTableConsumer.header)
            try source.forEachChunk { chunk in
                stream.feed(chunk, into: &consumer)
                output.write(consumer.text)
                consumer.text = ""
            }
            stream.finish(into: &consumer)
            output.write(consumer.text)
        }
        output.flush()
    }

    /// Parses and assembles `path` (or standard input) and returns the statistics.
    /// - Throws: ``EdgeNodeError`` when the input cannot be read.
    public static func statistics(path: String?, options: Options = Options()) throws(EdgeNodeError) -> (NMEAStatistics, NMEAFramer) {
        let source = try ByteSource(path: path)
        var stream = NMEAStream(framer: options.framer)
        var consumer = NullConsumer()
        try source.forEachChunk { chunk in stream.feed(chunk, into: &consumer) }
        stream.finish(into: &consumer)
        return (stream.statistics, stream.framer)
    }

    /// The statistics as text: JSON when `json`, else a readable report.
    public static func render(_ statistics: NMEAStatistics, _ framer: NMEAFramer, json: Bool) -> String {
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
        if let first = statistics.firstDecodeError { text += " (first at byte \(first.offset), \(first.error))" }
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

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}

/// Writes gpsd-style reports for each sentence.
struct GpsdJSONConsumer: NMEAStreamConsumer, ~Copyable {
    var reporter = GpsdReporter()
    var writer = JSONWriter(capacity: 1 << 17)

    mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler) {
        reporter.report(sentence, record: record, assembler: assembler, into: &writer)
    }
}

/// Collects nothing; statistics live in the stream.
struct NullConsumer: NMEAStreamConsumer {}

/// One readable row per epoch.
struct EpochTableConsumer: NMEAStreamConsumer {
    static let header = "utc                       quality    mode  latitude       longitude       alt MSL m  speed m/s  hdop  used (seen) per system\n"
    var text = ""

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

/// Fixed-point formatting without Foundation.
func format(_ value: Double, _ decimals: Int) -> String {
    var writer = JSONWriter(capacity: 32)
    writer.fixed(value, decimals: decimals)
    return String(decoding: writer.bytes, as: UTF8.self)
}
