import Foundation
import Testing
@Test func dumpDifferences() throws {
    var text = ""
    for name in GpsdConformanceTests.captures {
        for d in try GpsdConformanceTests.differences(for: name) ?? [] { text += "\(d)\n" }
    }
    try text.write(toFile: "/tmp/diffs.txt", atomically: true, encoding: .utf8)
}
