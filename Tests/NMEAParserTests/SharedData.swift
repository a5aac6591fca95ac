import Foundation

/// Locates `../shared/data` (beside the project root) for tests that read real recordings in place.
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The file's URL, or nil (and a message on stderr) when the shared data is absent.
    static func file(_ relative: String) -> URL? {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            FileHandle.standardError.write(Data("skipping: \(url.path) is absent (shared recordings live beside the project)\n".utf8))
            return nil
        }
        return url
    }

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }
}
