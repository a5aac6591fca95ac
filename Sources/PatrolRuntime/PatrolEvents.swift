import JSONText
import NMEAParser
import PatrolAgent

/// The patrols' side of the event log, shared by `patrol replay`, the daemon and the firmware
/// build: an epoch's time and fix as the agent sees them, and each patrol event as one JSON line
/// of the run record.
public enum PatrolEvents {
    /// Moves an agent's clock to `time` (positions go stale while epochs come without them), then
    /// gives it `fix` when the epoch had a position; what happens is written to `writer` as run
    /// record lines.
    public static func advance<Reader: InspectionReader>(_ agent: inout PatrolAgent<Reader>, to time: Double, with fix: PatrolFix?,
                                                         writing writer: inout JSONWriter) {
        let route = agent.route
        agent.tick(now: time) { writeEvent($0, route: route, into: &writer) }
        if let fix { agent.ingest(fix) { writeEvent($0, route: route, into: &writer) } }
    }

    /// An epoch's time on the patrol's clock, position or not: seconds since 1970, or from the
    /// start of the day without a date (time of day only). Nil without a time.
    public static func patrolTime(_ fix: Fix) -> Double? {
        guard let time = fix.time else { return nil }
        return Double((fix.date?.daysSinceEpoch ?? 0) * 86_400) + Double(time.nanosecondsOfDay) / 1e9
    }

    /// The fix the agent sees for an epoch of the receiver (nil without a position).
    public static func patrolFix(_ fix: Fix) -> PatrolFix? {
        guard fix.hasPosition, let latitude = fix.latitude, let longitude = fix.longitude, let seconds = patrolTime(fix) else { return nil }
        let quality: PositionQuality = switch fix.quality {
        case .rtkFixed: .rtkFixed
        case .rtkFloat: .rtkFloat
        case .differential: .differential
        case .gps, .pps: .autonomous
        case .deadReckoning: .deadReckoning
        case .invalid, .manual, .simulation: .none
        }
        return PatrolFix(time: seconds, latitude: latitude, longitude: longitude, quality: quality, hdop: fix.hdop,
                         satellites: fix.satellitesUsedReported, correctionAge: fix.differentialAgeSeconds)
    }

    /// One JSON line per event: UTC and GPS time, position, datum, fix quality, HDOP, satellites,
    /// correction age, the rule that decided, the lateral offset, the readings.
    private static func writeEvent(_ event: PatrolEvent, route: Route, into w: inout JSONWriter) {
        func time(_ seconds: Double) {
            let days = Int((seconds / 86_400).rounded(.down))
            let nanoseconds = Int64(((seconds - Double(days) * 86_400) * 1e9).rounded())
            let time = TimeOfDay(hour: Int(nanoseconds / 3_600_000_000_000), minute: Int(nanoseconds / 60_000_000_000 % 60),
                                 second: Int(nanoseconds / 1_000_000_000 % 60), nanosecond: Int(nanoseconds % 1_000_000_000))
            w.key("utc"); w.timestamp(date: CalendarDate(daysSinceEpoch: days), time: time)
            // GPS time: 1980-01-06, 18 leap seconds ahead of UTC since 2017.
            let gps = seconds - 315_964_800 + 18
            w.key("gps_week"); w.integer(Int(gps / 604_800))
            w.key("gps_seconds"); w.fixed(gps.truncatingRemainder(dividingBy: 604_800), decimals: 3)
        }
        func fix(_ fix: PatrolFix?) {
            guard let fix else { return }
            w.key("lat"); w.fixed(fix.latitude, decimals: 9)
            w.key("lon"); w.fixed(fix.longitude, decimals: 9)
            w.key("datum"); w.string(route.frame)
            w.key("quality"); w.string(fix.quality.description)
            if let hdop = fix.hdop { w.key("hdop"); w.fixed(hdop, decimals: 2) }
            if let satellites = fix.satellites { w.key("satellites"); w.integer(satellites) }
            if let age = fix.correctionAge { w.key("correction_age"); w.fixed(age, decimals: 1) }
        }
        switch event {
        case .geometryUnknown(let t, let reason):
            w.raw("{\"event\":\"geometry_unknown\""); time(t); w.key("reason"); w.string(reason)
        case .geometryTrusted(let t):
            w.raw("{\"event\":\"geometry_trusted\""); time(t)
        case .arrived(let checkpoint, let t, let rule, let offset):
            w.raw("{\"event\":\"arrived\",\"checkpoint\":"); w.string(checkpoint); time(t)
            w.key("rule"); w.string(rule); w.key("lateral_offset"); w.fixed(offset, decimals: 3)
        case .outcome(let o):
            w.raw("{\"event\":\"checkpoint\",\"checkpoint\":"); w.string(o.checkpoint)
            w.key("verdict"); w.string(o.verdict.rawValue); time(o.time)
            w.key("rule"); w.string(o.rule)
            if let offset = o.lateralOffset { w.key("lateral_offset"); w.fixed(offset, decimals: 3) }
            fix(o.fix)
            w.key("readings"); w.byte(UInt8(ascii: "["))
            for (index, reading) in o.readings.enumerated() {
                if index > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"point\":"); w.string(reading.point)
                if let value = reading.value { w.key("value"); w.fixed(value, decimals: 6) }
                w.key("quality")
                switch reading.quality {
                case .good: w.string("good")
                case .outOfRange: w.string("out_of_range")
                case .failed(let reason): w.string("bad: \(reason)")
                }
                w.key("attempts"); w.integer(reading.attempts)
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        case .retryScheduled(let checkpoint, let left):
            w.raw("{\"event\":\"retry_scheduled\",\"checkpoint\":"); w.string(checkpoint); w.key("attempts_left"); w.integer(left)
        case .fenceBreach(let fence, let level, let action, let t, let distance):
            w.raw("{\"event\":\"fence_breach\",\"fence\":"); w.string(fence); w.key("level"); w.string(level.rawValue)
            w.key("action"); w.string(action); time(t); w.key("distance"); w.fixed(distance, decimals: 2)
        case .fenceCleared(let fence, let t):
            w.raw("{\"event\":\"fence_cleared\",\"fence\":"); w.string(fence); time(t)
        case .completed(let s):
            w.raw("{\"event\":\"summary\",\"visited\":"); w.integer(s.visited)
            w.key("missed"); w.integer(s.missed); w.key("skipped"); w.integer(s.skipped); w.key("uncertain"); w.integer(s.uncertain)
            w.key("distance_m"); w.fixed(s.distance, decimals: 1); w.key("duration_s"); w.fixed(s.duration, decimals: 1)
        }
        w.raw("}\n")
    }
}
