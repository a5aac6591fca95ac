import FoundationEssentials
import Glibc
import PatrolAgent

/// A patrol's progress on disk (`DIR/patrols/ROUTE.json`, replaced atomically), so that a patrol
/// interrupted by a restart, a crash or a power cut resumes where it was instead of starting again
/// at its first checkpoint. A journal serves only the route it was written for (compared whole),
/// and is removed when the patrol completes, so that the next start begins a new run.
struct PatrolJournal {
    let path: String
    private let route: String

    private struct Contents: Codable {
        var route: String
        var snapshot: PatrolSnapshot
    }

    init(directory: String, route: Route) {
        path = "\(directory)/patrols/\(route.name.replacing("/", with: "_")).json"
        self.route = String(describing: route)
    }

    /// The progress saved for this route, if any.
    func load() -> PatrolSnapshot? {
        guard let data = FileManager.default.contents(atPath: path),
              let contents = try? JSONDecoder().decode(Contents.self, from: data), contents.route == route else { return nil }
        return contents.snapshot
    }

    /// Saves `snapshot` in place of the previous one.
    /// - Throws: ``EdgeNodeError`` naming the file and the system's reason.
    func save(_ snapshot: PatrolSnapshot) throws(EdgeNodeError) {
        try createDirectories(directoryName(of: path))
        try replaceFile(path, withJSONOf: Contents(route: route, snapshot: snapshot))
    }

    func remove() { unlink(path) }
}
