import JSONText
import FoundationEssentials
import Glibc
import NMEAParser
import PatrolAgent
import PatrolRuntime

/// What `edge-node patrol check|replay` do, callable from tests.
public enum PatrolCommands {
    /// The route's summary and findings as text; the findings decide the exit status.
    /// With `json`, one object: the route, its datum, length and checkpoints, and the findings.
    public static func check(_ path: String, json: Bool = false) throws(EdgeNodeError) -> (text: String, findings: [String]) {
        let file = try RouteFile.load(path)
        let route = file.route
        let geodesic = Geodesic(route.ellipsoid)
        var length = 0.0
        for (a, b) in zip(route.checkpoints, route.checkpoints.dropFirst()) {
            length += geodesic.inverse(latitude1: a.latitude, longitude1: a.longitude, latitude2: b.latitude, longitude2: b.longitude).distance
        }
        if json {
            var w = JSONWriter()
            w.raw("{\"route\":"); w.string(route.name)
            w.key("file"); w.string(path)
            w.key("frame"); w.string(route.frame)
            w.key("epoch"); if let epoch = route.epoch { w.fixed(epoch, decimals: 3) } else { w.raw("null") }
            w.key("ellipsoid"); w.string(route.ellipsoid.name)
            w.key("length_m"); w.fixed(length, decimals: 1)
            w.key("fences"); w.integer(route.fences.count)
            w.key("checkpoints"); w.byte(UInt8(ascii: "["))
            for (index, checkpoint) in route.checkpoints.enumerated() {
                if index > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"name\":"); w.string(checkpoint.name)
                w.key("lat"); w.fixed(checkpoint.latitude, decimals: 8)
                w.key("lon"); w.fixed(checkpoint.longitude, decimals: 8)
                w.key("radius_m"); w.fixed(checkpoint.radius, decimals: 2)
                switch checkpoint.arrival {
                case .passBy: w.key("arrival"); w.string("pass-by")
                case .radius(let confirmations): w.key("arrival"); w.string("radius"); w.key("confirmations"); w.integer(confirmations)
                }
                w.key("min_quality"); w.string(checkpoint.minimumQuality.description)
                w.key("tasks"); w.integer(checkpoint.tasks.count)
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
            // The route compiled, every setting explicit: what edge-node-lite replays.
            w.key("definition"); route.writeJSON(into: &w)
            w.key("findings"); w.strings(file.findings)
            w.key("ok"); w.raw(file.findings.isEmpty ? "true}\n" : "false}\n")
            return (String(decoding: w.bytes, as: UTF8.self), file.findings)
        }
        var text = "route \(route.name): \(route.checkpoints.count) checkpoints, \(route.fences.count) fences, "
        text += "\(format(length, 1)) m from first to last checkpoint (\(route.frame)"
        text += route.epoch.map { " epoch \($0)" } ?? ""
        text += ", \(route.ellipsoid.name) ellipsoid)\n"
        for checkpoint in route.checkpoints {
            let rule = switch checkpoint.arrival {
            case .passBy: "pass-by"
            case .radius(let n): "radius x\(n)"
            }
            text += "  \(checkpoint.name.padding(18))\(format(checkpoint.latitude, 8)) \(format(checkpoint.longitude, 8))  R \(format(checkpoint.radius, 1)) m  \(rule)"
            text += "  min \(checkpoint.minimumQuality)  \(checkpoint.tasks.count) task(s)\n"
        }
        text += file.findings.isEmpty ? "no findings\n" : file.findings.map { $0 + "\n" }.joined()
        return (text, file.findings)
    }

    /// The result of a replay.
    public struct Replay {
        public var report: String
        public var summary: PatrolSummary
        public var outcomes: [CheckpointOutcome]
        public var track: [(PatrolFix, Bool)]
        public var route: Route
    }

    /// How a replay runs.
    public struct ReplayOptions: Sendable {
        /// Append the run record here as it is made (required with a journal).
        public var reportPath: String?
        /// Journal the agent's state after every fix (atomically: write, then rename); a replay
        /// that finds a journal resumes from it, and the report is cut back to what the journal
        /// covered, so that no checkpoint is reported twice. Removed at the end of the capture.
        public var journalPath: String?
        /// Seconds to wait after each fix (0: full speed).
        public var pace = 0.0

        public init() {}
    }

    /// The journal: how many fixes were consumed, how long the report was, and the agent's state.
    private struct Journal: Codable {
        var fixes: Int
        var reportBytes: UInt64
        var snapshot: PatrolSnapshot
    }

    /// Feeds an NMEA capture file through the parser and the agent.
    public static func replay(routePath: String, nmeaPath: String, options: ReplayOptions = ReplayOptions()) throws(EdgeNodeError) -> Replay {
        let source = try ByteSource(path: nmeaPath)
        return try replay(RouteFile.load(routePath), routePath: routePath, options: options) { body throws(EdgeNodeError) in
            try source.forEachChunk(body)
        }
    }

    /// Feeds NMEA bytes, chunk by chunk from `chunks`, through the parser and the agent, which
    /// reads its inspection points through `reader`.
    public static func replay<Reader: InspectionReader>(
        _ file: RouteFile, routePath: String, options: ReplayOptions = ReplayOptions(), reader: Reader = NoReadings(),
        chunks: ((UnsafeRawBufferPointer) throws(EdgeNodeError) -> Void) throws(EdgeNodeError) -> Void
    ) throws(EdgeNodeError) -> Replay {
        guard file.findings.isEmpty else {
            throw .input("the route has findings; run 'edge-node patrol check \(routePath)':\n" + file.findings.joined(separator: "\n"))
        }
        if options.journalPath != nil && options.reportPath == nil { throw .input("--journal needs --report") }
        var agent = PatrolAgent(route: file.route, reader: reader)
        var skip = 0
        var report: ReportFile?
        if let reportPath = options.reportPath {
            var keep = 0
            if let journalPath = options.journalPath, let data = FileManager.default.contents(atPath: journalPath) {
                guard let journal = try? JSONDecoder().decode(Journal.self, from: data) else {
                    throw .input("\(journalPath): not a patrol journal (remove it to start over)")
                }
                agent = PatrolAgent(route: file.route, reader: reader, resuming: journal.snapshot)
                skip = journal.fixes
                keep = Int(journal.reportBytes)
            }
            report = try ReportFile(path: reportPath, keeping: keep)
        }
        var writer = JSONWriter(capacity: 1 << 16)
        var track: [(PatrolFix, Bool)] = []
        var consumed = 0
        var stream = NMEAStream()
        var consumer = EpochCollector()
        func drain() throws(EdgeNodeError) {
            for fix in consumer.fixes {
                guard let time = PatrolEvents.patrolTime(fix) else { continue }
                consumed += 1
                guard consumed > skip else { continue }
                let patrolFix = PatrolEvents.patrolFix(fix)
                PatrolEvents.advance(&agent, to: time, with: patrolFix, writing: &writer)
                if let patrolFix { track.append((patrolFix, agent.isGeometryTrusted)) }
                if let report, let journalPath = options.journalPath {
                    try report.append(writer.bytes)
                    writer.removeAll()
                    try replaceFile(journalPath, withJSONOf: Journal(fixes: consumed, reportBytes: UInt64(report.size), snapshot: agent.snapshot))
                }
                if options.pace > 0 { usleep(useconds_t(options.pace * 1e6)) }
            }
            consumer.fixes.removeAll(keepingCapacity: true)
        }
        try chunks { chunk throws(EdgeNodeError) in
            stream.feed(chunk, into: &consumer)
            try drain()
        }
        stream.finish(into: &consumer)
        try drain()
        var text = String(decoding: writer.bytes, as: UTF8.self)
        if let report {
            try report.append(Array(text.utf8))
            if let journalPath = options.journalPath { try? FileManager.default.removeItem(atPath: journalPath) }
            text = (try? String(contentsOfFile: options.reportPath!, encoding: .utf8)) ?? text
        }
        return Replay(report: text, summary: agent.summary, outcomes: agent.outcomes, track: track, route: file.route)
    }

    private struct EpochCollector: NMEAStreamConsumer {
        var fixes: [Fix] = []
        mutating func epoch(_ fix: Fix, _ sky: SkyView) { fixes.append(fix) }
    }

    /// The replay's summary as text.
    public static func summaryText(_ replay: Replay) -> String {
        var text = "route \(replay.route.name): \(replay.track.count) fixes\n"
        for outcome in replay.outcomes {
            text += "  \(outcome.checkpoint.padding(18))\(outcome.verdict.rawValue.padding(10))\(outcome.rule.padding(18))"
            text += outcome.lateralOffset.map { "\(format($0, 2)) m" } ?? "-"
            text += "\n"
            for reading in outcome.readings {
                let quality = switch reading.quality {
                case .good: "good"
                case .outOfRange: "OUT OF RANGE"
                case .failed(let reason): "not read: \(reason)"
                }
                text += "      \(reading.point) = \(reading.value.map { format($0, 2) } ?? "-") (\(quality))\n"
            }
        }
        let s = replay.summary
        text += "visited \(s.visited), missed \(s.missed), skipped \(s.skipped), uncertain \(s.uncertain); "
        text += "\(format(s.distance, 1)) m in \(format(s.duration, 1)) s\n"
        return text
    }

    /// An SVG map: the track coloured by fix quality (grey where untrusted), the fences, and the
    /// checkpoints with their radius and outcome.
    public static func map(_ replay: Replay) -> String {
        let route = replay.route
        let origin = route.checkpoints[0]
        let frame = LocalFrame(latitude: origin.latitude, longitude: origin.longitude, ellipsoid: route.ellipsoid)
        var points = replay.track.map { frame.enu(latitude: $0.0.latitude, longitude: $0.0.longitude) }
        let checkpoints = route.checkpoints.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) }
        points += checkpoints
        let minE = points.map(\.east).min() ?? 0, maxE = points.map(\.east).max() ?? 1
        let minN = points.map(\.north).min() ?? 0, maxN = points.map(\.north).max() ?? 1
        let size = 900.0, margin = 40.0
        let scale = (size - 2 * margin) / max(maxE - minE, maxN - minN, 1)
        func x(_ p: ENU) -> String { format(margin + (p.east - minE) * scale, 1) }
        func y(_ p: ENU) -> String { format(size - margin - (p.north - minN) * scale, 1) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(size))\" height=\"\(Int(size))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for fence in route.fences {
            let colour = fence.kind == .inclusion ? "#2e7d32" : "#c62828"
            let dash = fence.level == .soft ? " stroke-dasharray=\"6 4\"" : ""
            switch fence.shape {
            case .polygon(let vertices):
                let list = vertices.map { frame.enu(latitude: $0.latitude, longitude: $0.longitude) }.map { "\(x($0)),\(y($0))" }.joined(separator: " ")
                svg += "<polygon points=\"\(list)\" fill=\"none\" stroke=\"\(colour)\"\(dash)/>\n"
            case .circle(let centre, let radius):
                let c = frame.enu(latitude: centre.latitude, longitude: centre.longitude)
                svg += "<circle cx=\"\(x(c))\" cy=\"\(y(c))\" r=\"\(format(radius * scale, 1))\" fill=\"none\" stroke=\"\(colour)\"\(dash)/>\n"
            }
        }
        let colours: [PositionQuality: String] = [.rtkFixed: "#1b5e20", .rtkFloat: "#f9a825", .differential: "#1565c0",
                                                  .autonomous: "#6a1b9a", .deadReckoning: "#8d6e63", .none: "#9e9e9e"]
        for index in replay.track.indices.dropFirst() {
            let (fix, trusted) = replay.track[index]
            let colour = trusted ? colours[fix.quality] ?? "#000" : "#bdbdbd"
            svg += "<line x1=\"\(x(points[index - 1]))\" y1=\"\(y(points[index - 1]))\" x2=\"\(x(points[index]))\" y2=\"\(y(points[index]))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
        }
        svg += "\n"
        let verdicts = Dictionary(replay.outcomes.map { ($0.checkpoint, $0.verdict) }, uniquingKeysWith: { _, last in last })
        let verdictColours: [CheckpointVerdict: String] = [.visited: "#2e7d32", .missed: "#c62828", .skipped: "#757575", .uncertain: "#ef6c00"]
        for (checkpoint, p) in zip(route.checkpoints, checkpoints) {
            let verdict = verdicts[checkpoint.name]
            let colour = verdict.flatMap { verdictColours[$0] } ?? "#000"
            svg += "<circle cx=\"\(x(p))\" cy=\"\(y(p))\" r=\"\(format(max(3, checkpoint.radius * scale), 1))\" fill=\"\(colour)\" fill-opacity=\"0.4\" stroke=\"\(colour)\"/>"
            svg += "<text x=\"\(x(p))\" y=\"\(y(p))\" dx=\"6\" dy=\"-6\">\(checkpoint.name) \(verdict?.rawValue ?? "not reached")</text>\n"
        }
        return svg + "</svg>\n"
    }
}
