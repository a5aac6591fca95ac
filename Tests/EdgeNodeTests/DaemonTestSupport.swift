import EdgeIO
import Foundation
import Testing
@testable import EdgeNode

/// A new empty directory under the system's temporary one, named `prefix-UUID` (the caller removes it).
func scratchDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// `edge-node run --site SITE` from the debug build, stopped with SIGKILL when released.
func startDaemon(_ site: URL) throws -> ChildProcess {
    try ChildProcess(repository.appendingPathComponent(".build/debug/edge-node").path, ["run", "--site", site.path], waitForOutput: false)
}

/// `edge-node run --site SITE` (under `wrapper`, such as prlimit, when given) with its stderr,
/// the journal, in DIRECTORY/journal.txt; stopped with SIGKILL when released if still running.
final class JournaledDaemon {
    let process = Process()
    let journal: URL

    init(_ site: URL, in directory: URL, under wrapper: [String] = []) throws {
        journal = directory.appendingPathComponent("journal.txt")
        _ = FileManager.default.createFile(atPath: journal.path, contents: nil)
        let binary = repository.appendingPathComponent(".build/debug/edge-node").path
        let command = wrapper + [binary, "run", "--site", site.path]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardError = try FileHandle(forWritingTo: journal)
        try process.run()
    }

    /// What the daemon has logged so far.
    var journalText: String { (try? String(contentsOf: journal, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// The body of `GET path` from the daemon's status endpoint on loopback.
func httpGet(port: Int, path: String) throws -> String {
    try StatusCommand.get(host: "127.0.0.1", port: port, path: path)
}

/// The events in the log at `path` (lines that do not parse as JSON objects left out).
func events(_ path: String) -> [[String: Any]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

/// Polls `condition` every 50 ms; records an issue naming `what` after `seconds`.
func waitFor(_ seconds: Double, _ what: String, _ condition: () -> Bool) {
    let deadline = monotonicSeconds() + seconds
    while !condition() {
        guard monotonicSeconds() < deadline else { Issue.record("timed out waiting for \(what)"); return }
        usleep(50_000)
    }
}

/// The seconds a reason such as "silent for 3.1 s" gives after `prefix`; nil when it does not
/// start so. Measured durations are compared with a tolerance, never as formatted text.
func seconds(in reason: Any?, after prefix: String) -> Double? {
    guard let text = reason as? String, text.hasPrefix(prefix) else { return nil }
    return Double(text.dropFirst(prefix.count).prefix { $0.isNumber || $0 == "." })
}

/// A two-checkpoint route across the yard, written to DIRECTORY/yard.yaml.
func writeYardRoute(in directory: URL) throws -> URL {
    let route = directory.appendingPathComponent("yard.yaml")
    try """
        route: yard
        defaults: {radius: 5}
        checkpoints:
          - {name: north-end, lat: 22.2290000, lon: 113.5725517}
          - {name: south-end, lat: 22.2250000, lon: 113.5725517}
        """.write(to: route, atomically: true, encoding: .utf8)
    return route
}
