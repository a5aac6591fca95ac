import EdgeIO
import PatrolAgent

/// Inspection reads at checkpoints: the latest good value, no older than `maximumAge` seconds.
struct StoreReader: InspectionReader {
    let store: PointStore
    var maximumAge = 10.0

    func read(_ point: String) -> Result<Double, InspectionFailure> {
        guard let sample = store[point] else { return .failure(InspectionFailure("no value yet for \(point)")) }
        guard let value = sample.goodNumber else { return .failure(InspectionFailure("\(point) is \(sample.quality)")) }
        guard monotonicSeconds() - sample.monotonicSeconds <= maximumAge else { return .failure(InspectionFailure("\(point) is stale")) }
        return .success(value)
    }
}
