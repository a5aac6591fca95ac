import EdgeIO
import NIOConcurrencyHelpers

/// What a point is: its name (`device.point`, `board.line`), datatype, engineering unit, whether
/// it can be written, and the device it comes from.
public struct PointDefinition: Sendable, Equatable {
    public var name: String
    public var datatype: PointDatatype
    public var unit: String?
    public var writable: Bool
    /// The device, board, receiver or channel (the site unit) it belongs to.
    public var device: String
    /// Whether the event log records its quality changes (`point_quality`); points whose device
    /// reports its own faults (`device_fault`) do not.
    public var reportsQuality: Bool
    /// Value changes beyond this are events of their own (`point_changed`); nil reports none, 0
    /// every change.
    public var reportChangesBeyond: Double?

    public init(name: String, datatype: PointDatatype, unit: String? = nil, writable: Bool = false, device: String,
                reportsQuality: Bool = true, reportChangesBeyond: Double? = nil) {
        self.name = name
        self.datatype = datatype
        self.unit = unit
        self.writable = writable
        self.device = device
        self.reportsQuality = reportsQuality
        self.reportChangesBeyond = reportChangesBeyond
    }
}

/// A point's value as last acquired: typed, with its quality and both times.
public struct PointSample: Sendable, Equatable {
    public var value: PointValue?
    public var quality: PointQuality
    /// When it was acquired, nanoseconds since 1970 UTC (for reports and the uplink).
    public var utcNanoseconds: Int64
    /// When it was acquired, monotonic seconds (for ages, rates and ordering).
    public var monotonicSeconds: Double

    public init(value: PointValue?, quality: PointQuality, utcNanoseconds: Int64, monotonicSeconds: Double) {
        self.value = value
        self.quality = quality
        self.utcNanoseconds = utcNanoseconds
        self.monotonicSeconds = monotonicSeconds
    }

    /// The value as a number when it is good.
    public var goodNumber: Double? { quality.isGood ? value?.doubleValue : nil }
}

/// One update a subscriber sees: the point, its new sample and the one before (nil the first time).
public struct PointChange: Sendable {
    public var name: String
    public var sample: PointSample
    public var previous: PointSample?
}

/// A consumer's bounded queue of point updates. Device threads append without waiting on the
/// consumer; what does not fit is dropped and counted. A consumer drains it, or waits for it
/// (woken by the first update, no polling).
public final class PointSubscription: Sendable {
    /// The most updates held for the consumer.
    public let capacity: Int
    private struct State {
        var queue: [PointChange] = []
        var dropped = 0
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) { self.capacity = capacity }

    func offer(_ change: PointChange) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if state.queue.count < capacity { state.queue.append(change) } else { state.dropped += 1 }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Takes every update held, oldest first.
    public func drain() -> [PointChange] {
        state.withLockedValue { state in
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
    }

    /// Wakes a waiting consumer for good: ``next()`` returns what is held, then nothing.
    public func close() {
        let waiter = state.withLockedValue { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until an update is held, then takes them all; empty once closed (or the task is
    /// cancelled) with nothing held.
    public func next() async -> [PointChange] {
        while true {
            let held = drain()
            if !held.isEmpty || Task.isCancelled || state.withLockedValue({ $0.closed }) { return held }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let now = state.withLockedValue { state -> Bool in
                        if !state.queue.isEmpty || state.closed || Task.isCancelled { return true }
                        state.waiter = waiter
                        return false
                    }
                    if now { waiter.resume() }
                }
            } onCancel: {
                let waiter = state.withLockedValue { state in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
    }

    /// Updates dropped because the queue was full.
    public var dropped: Int { state.withLockedValue { $0.dropped } }
}

/// The data plane: every point of the site with its definition and latest sample. Device units
/// publish into it; the event log, the status report, Prometheus and the patrols' inspections
/// read it or subscribe to its changes.
public final class PointStore: Sendable {
    private let points = NIOLockedValueBox<(definitions: [String: PointDefinition], samples: [String: PointSample])>(([:], [:]))
    private let subscribers = NIOLockedValueBox<[PointSubscription]>([])

    public init() {}

    /// Declares points (again, after a reload).
    public func define(_ definitions: [PointDefinition]) {
        points.withLockedValue { points in for definition in definitions { points.definitions[definition.name] = definition } }
    }

    /// The point's definition, if it was declared.
    public func definition(_ name: String) -> PointDefinition? { points.withLockedValue { $0.definitions[name] } }

    /// Publishes a new sample of `name`, acquired at `monotonicSeconds` (UTC now), to the store
    /// and every subscriber.
    public func update(_ name: String, _ value: PointValue?, quality: PointQuality, at monotonicSeconds: Double) {
        let sample = PointSample(value: value, quality: quality, utcNanoseconds: utcNanoseconds(), monotonicSeconds: monotonicSeconds)
        let previous = points.withLockedValue { points in
            defer { points.samples[name] = sample }
            return points.samples[name]
        }
        let change = PointChange(name: name, sample: sample, previous: previous)
        for subscriber in subscribers.withLockedValue({ $0 }) { subscriber.offer(change) }
    }

    /// A new subscriber to every later update, holding at most `capacity` of them.
    public func subscribe(capacity: Int) -> PointSubscription {
        let subscription = PointSubscription(capacity: capacity)
        subscribers.withLockedValue { $0.append(subscription) }
        return subscription
    }

    public subscript(_ name: String) -> PointSample? { points.withLockedValue { $0.samples[name] } }

    /// The point's value as a number when it is good, else nil.
    public func goodValue(_ name: String) -> Double? { self[name]?.goodNumber }

    /// How many points a device or board has in `points` (`name.*`), and how many of them are not good.
    public static func tally(_ points: [String: PointSample], under name: String) -> (points: Int, notGood: Int) {
        let own = points.filter { $0.key.hasPrefix(name + ".") }
        return (own.count, own.values.count(where: { !$0.quality.isGood }))
    }

    /// Forgets the points of one device or board (`name.*`), definitions and samples.
    public func removeAll(under name: String) {
        points.withLockedValue { points in
            points.definitions = points.definitions.filter { !$0.key.hasPrefix(name + ".") }
            points.samples = points.samples.filter { !$0.key.hasPrefix(name + ".") }
        }
    }

    /// Every point's latest sample.
    public var all: [String: PointSample] { points.withLockedValue { $0.samples } }
}
