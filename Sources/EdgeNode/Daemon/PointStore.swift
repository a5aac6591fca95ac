import EdgeIO
import Glibc
import PatrolAgent
import Synchronization

/// The latest value of every point on the site (`device.point`, `board.line`), for inspections
/// and the status report.
public final class PointStore: Sendable {
    public struct Entry: Sendable, Equatable {
        public var value: Double?
        /// "good", or why not.
        public var quality: String
        /// Monotonic seconds.
        public var time: Double

        /// Whether the value can be used.
        public var isGood: Bool { quality == "good" }
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    public func update(_ name: String, value: Double?, quality: String, time: Double) {
        entries.withLock { $0[name] = Entry(value: value, quality: quality, time: time) }
    }

    public subscript(_ name: String) -> Entry? { entries.withLock { $0[name] } }

    /// The point's value when it is good, else nil.
    public func goodValue(_ name: String) -> Double? {
        guard let entry = self[name], entry.isGood else { return nil }
        return entry.value
    }

    /// How many points a device or board has in `points` (`name.*`), and how many of them are not good.
    public static func tally(_ points: [String: Entry], under name: String) -> (points: Int, notGood: Int) {
        let own = points.filter { $0.key.hasPrefix(name + ".") }
        return (own.count, own.values.count(where: { !$0.isGood }))
    }

    /// Forgets the points of one device or board (`name.*`).
    public func removeAll(under name: String) {
        entries.withLock { entries in entries = entries.filter { !$0.key.hasPrefix(name + ".") } }
    }

    public var all: [String: Entry] { entries.withLock { $0 } }
}

/// Inspection reads at checkpoints: the latest good value, no older than `maximumAge` seconds.
struct StoreReader: InspectionReader {
    let store: PointStore
    var maximumAge = 10.0

    func read(_ point: String) -> Result<Double, InspectionFailure> {
        guard let entry = store[point] else { return .failure(InspectionFailure("no value yet for \(point)")) }
        guard entry.isGood, let value = entry.value else { return .failure(InspectionFailure("\(point) is \(entry.quality)")) }
        guard monotonicSeconds() - entry.time <= maximumAge else { return .failure(InspectionFailure("\(point) is stale")) }
        return .success(value)
    }
}
