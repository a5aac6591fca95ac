#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// A point's value as the poller delivers it: typed, scaled, with its unit, a quality and when.
public struct ModbusReading: Sendable, Equatable {
    public var point: String
    /// The engineering value in the point's ``ModbusPoint/datatype``; nil when there is none.
    public var value: PointValue?
    public var unit: String?
    /// The registers (or bits as 0/1) it came from.
    public var raw: [UInt16]
    /// Stale keeps the last good value and says since when (its timestamp), or -infinity when
    /// there was none.
    public var quality: PointQuality
    /// When it was read, seconds on the poller's clock.
    public var timestamp: Double
    /// Moved beyond the deadband (or changed quality) since the last reported reading.
    public var changed: Bool
}

/// One read of the plan: a contiguous range of one table of one unit, covering some points.
public struct ModbusPlannedRead: Sendable, Equatable {
    public var unit: Int
    public var table: ModbusTable
    public var range: Range<Int>
    /// Indices into the unit's points.
    public var points: [Int]
}

/// Reads a profile's points on one bus: poll groups with their periods and stagger, a plan with
/// the fewest requests (merged within the profile's gap, never across holes or past 125 registers
/// or 2000 bits, split in halves and remembered on exception 2), busy replies retried after a
/// wait, a bounded queue where writes go before polls and overdue polls are dropped and counted,
/// per-unit health (a dead unit costs the others at most one timeout per cycle, then is skipped
/// with a growing backoff), and its own reconnect with bounded exponential backoff. The clock and
/// the sleep are injected, so that tests run on simulated time.
public final class ModbusPoller {
    public struct Statistics: Sendable, Equatable {
        public var requests = 0
        public var timeouts = 0
        public var busyRetries = 0
        public var splits = 0
        public var overduePollsDropped = 0
        public var writesRejected = 0
        /// Connections made (the first one and every reconnect).
        public var connects = 0
    }

    /// What one ``tick(now:)`` did.
    public struct Report: Sendable {
        public var readings: [ModbusReading] = []
        public var writes: [(point: String, error: String?)] = []
        public var requests = 0
        /// Timeouts waited for, per unit.
        public var timeouts: [Int: Int] = [:]
    }

    public let profile: ModbusProfile
    /// Failed cycles before a unit is skipped, and the skip's first and largest length, seconds.
    public var failuresBeforeSkip = 3
    public var skipBackoff = RestartBackoff(initial: 1, maximum: 30)
    /// Reconnect backoff, seconds.
    public var reconnectBackoff = RestartBackoff(initial: 0.5, maximum: 10)
    /// Wait before asking a busy device again, and how often.
    public var busyWait = 0.05
    public var busyRetries = 3
    /// Jobs (writes and polls) the queue holds at most.
    public let queueCapacity: Int
    public private(set) var statistics = Statistics()
    public private(set) var plans: [String: [ModbusPlannedRead]] = [:]

    private let clock: () -> Double
    private let sleep: (Double) -> Void
    private var client: ModbusClient?
    private var reconnectAt = 0.0
    private var nextDue: [String: Double] = [:]
    private var health: [Int: UnitHealth] = [:]
    private var last: [String: ModbusReading] = [:]
    private let queue: NIOLockedValueBox<[Job]> = NIOLockedValueBox([])

    private enum Job { case write(point: String, value: Double), poll(group: String) }

    private struct UnitHealth {
        var failedCycles = 0
        var skipUntil = -Double.infinity
        var backoff: RestartBackoff
    }

    /// A poller for `profile`; `clock` gives monotonic seconds and `sleep` waits (both injected in tests).
    public init(profile: ModbusProfile, queueCapacity: Int = 64, clock: @escaping () -> Double = monotonicSeconds,
                sleep: @escaping (Double) -> Void = { if $0 > 0 { usleep(useconds_t($0 * 1e6)) } }) {
        self.profile = profile
        self.queueCapacity = queueCapacity
        self.clock = clock
        self.sleep = sleep
        let start = clock()
        for group in profile.groups {
            nextDue[group.name] = start + group.stagger
            plans[group.name] = profile.units.flatMap { Self.plan($0, group: group.name, maximumGap: profile.maximumGap) }
        }
    }

    /// The fewest reads that cover a unit's points of `group`: points sorted by address, merged
    /// while the gap is at most `maximumGap`, the read stays within the table's limit, and no
    /// declared hole falls inside.
    public static func plan(_ unit: ModbusUnit, group: String, maximumGap: Int) -> [ModbusPlannedRead] {
        var reads: [ModbusPlannedRead] = []
        let indices = unit.points.indices.filter { unit.points[$0].group == group }
            .sorted { (unit.points[$0].table.rawValue, unit.points[$0].address) < (unit.points[$1].table.rawValue, unit.points[$1].address) }
        for index in indices {
            let point = unit.points[index]
            if var current = reads.last, current.table == point.table, point.address - current.range.upperBound <= maximumGap {
                let merged = current.range.lowerBound..<max(current.range.upperBound, point.span.upperBound)
                let crossesHole = unit.holes.contains { $0.table == point.table && $0.range.overlaps(merged) }
                if merged.count <= point.table.maximumReadCount && !crossesHole {
                    current.range = merged
                    current.points.append(index)
                    reads[reads.count - 1] = current
                    continue
                }
            }
            reads.append(ModbusPlannedRead(unit: unit.id, table: point.table, range: point.span, points: [index]))
        }
        return reads
    }

    /// Queues a write of an engineering value; it goes before any poll. Throws when the point is
    /// unknown or read-only, the value does not fit, or the queue is full.
    public func write(_ name: String, value: Double) throws(ModbusError) {
        guard let (_, point) = profile.point(named: name) else { throw .invalidRequest("no point '\(name)' in \(profile.name)") }
        guard point.writable else { throw .invalidRequest("'\(name)' is read-only") }
        guard encode(point, value) != nil else { throw .invalidRequest("\(value) does not fit '\(name)' (\(point.type?.description ?? "bool"))") }
        let accepted = queue.withLockedValue { jobs -> Bool in
            guard jobs.count < queueCapacity else { return false }
            // Before the first poll: writes keep their own order.
            let firstPoll = jobs.firstIndex { if case .poll = $0 { true } else { false } } ?? jobs.endIndex
            jobs.insert(.write(point: name, value: value), at: firstPoll)
            return true
        }
        if !accepted {
            statistics.writesRejected += 1
            throw .invalidRequest("the write queue of \(profile.name) is full (\(queueCapacity) jobs)")
        }
    }

    /// Seconds until the next poll is due.
    public func secondsUntilDue(now: Double) -> Double {
        max(0, (nextDue.values.min() ?? now + 1) - now)
    }

    /// Queues the polls due at `now` (a poll whose previous turn is still queued, or that missed
    /// whole periods, is dropped and counted), then runs the queue: writes first.
    public func tick(now: Double) -> Report {
        for group in profile.groups where nextDue[group.name]! <= now {
            var due = nextDue[group.name]! + group.period
            if due <= now {
                let missed = Int(((now - due) / group.period).rounded(.down)) + 1
                statistics.overduePollsDropped += missed
                due += Double(missed) * group.period
            }
            nextDue[group.name] = due
            let queued = queue.withLockedValue { jobs -> Bool in
                if jobs.contains(where: { if case .poll(let name) = $0 { name == group.name } else { false } }) || jobs.count >= queueCapacity {
                    return false
                }
                jobs.append(.poll(group: group.name))
                return true
            }
            if !queued { statistics.overduePollsDropped += 1 }
        }
        var report = Report()
        while let job = queue.withLockedValue({ $0.isEmpty ? nil : $0.removeFirst() }) {
            switch job {
            case .write(let name, let value): report.writes.append((name, perform(write: name, value: value, report: &report)))
            case .poll(let group): poll(group: group, report: &report)
            }
        }
        return report
    }

    /// Runs until `shouldStop`, handing each report to `onReport`.
    public func run(shouldStop: () -> Bool, onReport: (Report) -> Void) {
        while !shouldStop() {
            onReport(tick(now: clock()))
            sleep(min(0.1, secondsUntilDue(now: clock())))
        }
    }

    // MARK: - Requests

    /// The client, connecting (or reconnecting after the backoff) when needed.
    private func connection() -> Result<ModbusClient, ModbusError> {
        if let client { return .success(client) }
        let now = clock()
        guard now >= reconnectAt else { return .failure(.connection("reconnecting in \(format1(reconnectAt - now)) s")) }
        do {
            let created = try ModbusClient(profile.transport, timeout: .milliseconds(Int64(profile.timeout * 1000)))
            client = created
            reconnectBackoff.succeeded()
            statistics.connects += 1
            return .success(created)
        } catch {
            reconnectAt = now + reconnectBackoff.failed()
            return .failure(error)
        }
    }

    /// One request with pacing, busy retries and the connection's loss handled.
    private func request<T>(_ report: inout Report, unit: Int, _ body: (ModbusClient) throws(ModbusError) -> T) -> Result<T, ModbusError> {
        var busyLeft = busyRetries
        while true {
            let client: ModbusClient
            switch connection() {
            case .success(let connected): client = connected
            case .failure(let error): return .failure(error)
            }
            if profile.interRequestDelay > 0 && report.requests > 0 { sleep(profile.interRequestDelay) }
            report.requests += 1
            statistics.requests += 1
            do {
                return .success(try body(client))
            } catch .exception(let code) where (code == .acknowledge || code == .serverDeviceBusy) && busyLeft > 0 {
                busyLeft -= 1
                statistics.busyRetries += 1
                sleep(busyWait)
            } catch .connection(let reason) {
                self.client = nil   // ours, not libmodbus's blocking link recovery
                reconnectAt = clock()
                return .failure(.connection(reason))
            } catch {
                if error == .timeout {
                    statistics.timeouts += 1
                    report.timeouts[unit, default: 0] += 1
                }
                return .failure(error)
            }
        }
    }

    private func poll(group: String, report: inout Report) {
        let now = clock()
        var answered: Set<Int> = [], failed: Set<Int> = []
        var index = 0
        while index < plans[group]!.count {
            let read = plans[group]![index]
            index += 1
            let unit = profile.units.first { $0.id == read.unit }!
            if failed.contains(unit.id) || (health[unit.id]?.skipUntil ?? -.infinity) > now {
                let reason = failed.contains(unit.id) ? "unit \(unit.id) did not answer" : "unit \(unit.id) skipped after \(failuresBeforeSkip) failed cycles"
                deliver(read, of: unit, registers: nil, quality: .stale(since: -.infinity, reason: reason), report: &report)
                continue
            }
            // A garbled reply is retried; a timeout only once the unit has shown it is alive in
            // this cycle, so that a dead unit costs the others one timeout.
            var retriesLeft = profile.retries
            var outcome: Result<[UInt16], ModbusError>
            while true {
                outcome = request(&report, unit: unit.id) { client throws(ModbusError) in
                    try client.read(read.table, unit: unit.id, address: read.range.lowerBound, count: read.range.count)
                }
                guard case .failure(let error) = outcome, retriesLeft > 0,
                      isInvalidResponse(error) || (error == .timeout && answered.contains(unit.id)) else { break }
                retriesLeft -= 1
            }
            switch outcome {
            case .success(let registers):
                answered.insert(unit.id)
                deliver(read, of: unit, registers: registers, quality: .good, report: &report)
            case .failure(.exception(.illegalDataAddress)) where read.points.count > 1:
                // Split in halves and remember: the device has a hole the profile does not declare.
                answered.insert(unit.id)
                plans[group]!.replaceSubrange((index - 1)..<index, with: Self.halves(of: read, in: unit))
                statistics.splits += 1
                index -= 1
            case .failure(.exception(let code)):
                answered.insert(unit.id)
                deliver(read, of: unit, registers: nil, quality: .bad(.deviceException, reason: code.description), report: &report)
            case .failure(let error):
                if error == .timeout || isInvalidResponse(error) { failed.insert(unit.id) }
                let quality: PointQuality = if case .connection = error { .bad(.communication, reason: "\(error)") } else { .stale(since: -.infinity, reason: "\(error)") }
                deliver(read, of: unit, registers: nil, quality: quality, report: &report)
            }
        }
        for unit in profile.units where plans[group]!.contains(where: { $0.unit == unit.id }) {
            var state = health[unit.id, default: UnitHealth(backoff: skipBackoff)]
            if answered.contains(unit.id) {
                state = UnitHealth(backoff: skipBackoff)
            } else if failed.contains(unit.id) {
                state.failedCycles += 1
                if state.failedCycles >= failuresBeforeSkip { state.skipUntil = now + state.backoff.failed() }
            }
            health[unit.id] = state
        }
    }

    /// Two reads for the points of `read`, split at the gap between points nearest the middle of
    /// its range (where an undeclared register most likely is), or in the middle of the points
    /// when they have no gap.
    static func halves(of read: ModbusPlannedRead, in unit: ModbusUnit) -> [ModbusPlannedRead] {
        let points = read.points.sorted { unit.points[$0].address < unit.points[$1].address }
        let middle = Double(read.range.lowerBound + read.range.upperBound) / 2
        var cut = points.count / 2, best = Double.infinity
        var covered = unit.points[points[0]].span.upperBound
        for index in 1..<points.count {
            let start = unit.points[points[index]].address
            if start > covered, abs(Double(covered + start) / 2 - middle) < best {
                best = abs(Double(covered + start) / 2 - middle)
                cut = index
            }
            covered = max(covered, unit.points[points[index]].span.upperBound)
        }
        return [Array(points[..<cut]), Array(points[cut...])].map { part in
            ModbusPlannedRead(unit: read.unit, table: read.table,
                              range: part.map { unit.points[$0].address }.min()!..<part.map { unit.points[$0].span.upperBound }.max()!,
                              points: part)
        }
    }

    private func isInvalidResponse(_ error: ModbusError) -> Bool {
        if case .invalidResponse = error { true } else { false }
    }

    /// Decodes the points of `read` (or marks them) and records them.
    private func deliver(_ read: ModbusPlannedRead, of unit: ModbusUnit, registers: [UInt16]?, quality: PointQuality, report: inout Report) {
        let now = clock()
        for index in read.points {
            let point = unit.points[index]
            var reading = ModbusReading(point: point.name, value: nil, unit: point.unit, raw: [], quality: quality, timestamp: now, changed: false)
            if let registers {
                let words = Array(registers[(point.address - read.range.lowerBound)..<(point.span.upperBound - read.range.lowerBound)])
                reading.raw = words
                (reading.value, reading.quality) = point.reading(of: words[...])
            } else if case .stale(_, let reason) = quality, let previous = last[point.name], previous.value != nil {
                reading.value = previous.value
                reading.raw = previous.raw
                reading.timestamp = previous.timestamp
                reading.quality = .stale(since: previous.timestamp, reason: reason)
            }
            reading.changed = isChange(reading, point)
            if reading.changed { last[point.name] = reading }
            report.readings.append(reading)
        }
    }

    private func isChange(_ reading: ModbusReading, _ point: ModbusPoint) -> Bool {
        guard let previous = last[point.name] else { return true }
        if previous.quality != reading.quality { return true }
        switch (previous.value?.doubleValue, reading.value?.doubleValue) {
        case (let old?, let new?): return abs(new - old) > (point.deadband ?? 0)
        default: return previous.value != reading.value
        }
    }

    private func encode(_ point: ModbusPoint, _ value: Double) -> [UInt16]? {
        guard let type = point.type else { return [value != 0 ? 1 : 0] }
        if case .bit = type { return nil }
        let raw = (value - point.offset) / point.scale
        return ModbusValue.encode(type == .float32 || type == .float64 ? raw : raw.rounded(), as: type, order: point.order)
    }

    private func perform(write name: String, value: Double, report: inout Report) -> String? {
        let (unit, point) = profile.point(named: name)!
        let words = encode(point, value)!
        let result = request(&report, unit: unit.id) { client throws(ModbusError) in
            if point.table == .coil {
                try client.writeCoil(unit: unit.id, address: point.address, value: words[0] != 0)
            } else if words.count == 1 {
                try client.writeRegister(unit: unit.id, address: point.address, value: words[0])
            } else {
                try client.writeRegisters(unit: unit.id, address: point.address, values: words)
            }
        }
        if case .failure(let error) = result { return "\(error)" }
        return nil
    }
}

private func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

extension ModbusPoint {
    /// The type its values keep: bits and coils are bools, strings text, integers exact unless
    /// scaled, everything else a double.
    public var datatype: PointDatatype {
        if table.isBits { return .bool }
        switch type {
        case nil, .bit?: return .bool
        case .string?: return .string
        case .float32?, .float64?: return .double
        case .uint64?: return scale == 1 && offset == 0 ? .uint64 : .double
        case .int16?, .uint16?, .int32?, .uint32?, .int64?: return scale == 1 && offset == 0 ? .int64 : .double
        }
    }

    /// This point's value from its registers (or bits as 0/1), in its ``datatype``, or nil with a
    /// bad quality when the device sends its invalid marker, a value that is not a finite number,
    /// or one that overflows once scaled.
    public func reading(of words: ArraySlice<UInt16>) -> (value: PointValue?, quality: PointQuality) {
        let decoded = type.map { ModbusValue.decode(words, as: $0, order: order) } ?? .integer(Int64(words.first ?? 0))
        if let invalid, decoded.doubleValue == invalid {
            return (nil, .bad(.invalidMarker, reason: "the device reports no valid value (\(decoded))"))
        }
        switch (datatype, decoded) {
        case (.string, .text(let text)): return (.string(text), .good)
        case (.bool, _): return (.bool(decoded.doubleValue != 0), .good)
        case (.int64, .integer(let value)): return (.int64(value), .good)
        case (.int64, .unsigned(let value)): return (.int64(Int64(value)), .good)   // 16 and 32 bits: they fit
        case (.uint64, .unsigned(let value)): return (.uint64(value), .good)
        default: break
        }
        guard let raw = decoded.doubleValue, raw.isFinite else {
            return (nil, .bad(.notFinite, reason: "not a finite number (\(decoded))"))
        }
        let engineering = raw * scale + offset
        guard engineering.isFinite else { return (nil, .bad(.outOfRange, reason: "out of range: \(decoded) x \(scale) + \(offset) overflows")) }
        return (.double(engineering), .good)
    }
}
