import FoundationEssentials
import Glibc

/// State that outlives the daemon's process, one file per patrol or machine in the outputs
/// directory (`patrols/ROUTE.json`, `baselines/CHANNEL.json`), replaced atomically: a patrol's
/// progress, so that a patrol interrupted by a restart, a crash or a power cut resumes where it
/// was; a machine's learnt baseline, so that it is not learnt again from however the machine runs
/// after the restart. A journal serves only the configuration it was written for (`key`, compared
/// whole: a changed route or channel starts afresh).
struct StateJournal<Value: Codable> {
    let path: String
    private let key: String

    private struct Contents: Codable {
        var key: String
        var value: Value
    }

    /// The journal of `name` under `DIRECTORY/kind/`, for the configuration `key` describes.
    init(directory: String, kind: String, name: String, key: String) {
        path = "\(directory)/\(kind)/\(name.replacing("/", with: "_")).json"
        self.key = key
    }

    /// The value saved for this configuration, if any (nothing for another's, or an unreadable file).
    func load() -> Value? {
        guard let data = FileManager.default.contents(atPath: path),
              let contents = try? JSONDecoder().decode(Contents.self, from: data), contents.key == key else { return nil }
        return contents.value
    }

    /// Saves `value` in place of the previous one.
    /// - Throws: ``EdgeNodeError`` naming the file and the system's reason.
    func save(_ value: Value) throws(EdgeNodeError) {
        try createDirectories(directoryName(of: path))
        try replaceFile(path, withJSONOf: Contents(key: key, value: value))
    }

    func remove() { unlink(path) }
}
