import Foundation

/// The recordings in `Tests/Fixtures/` (permissively licensed, in the repository: see its README).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The fixture at `relative` (it is part of the repository, so a missing one is a failure of the read).
    static func file(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
