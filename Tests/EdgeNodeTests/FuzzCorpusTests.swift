import EdgeNode
import Foundation
import Testing

/// The committed fuzz corpus (`fuzz/corpus/TARGET/`: seeds, and every input a fuzzer found a
/// crash with) through the same entry points `make fuzz` drives: a regression traps here.
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    @Test(arguments: FuzzTarget.allCases)
    func corpusReplays(target: FuzzTarget) throws {
        let directory = repository.appendingPathComponent("fuzz/corpus/\(target.rawValue)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files.count >= 3, "the \(target.rawValue) corpus has \(files.count) inputs")
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            bytes.withUnsafeBytes { target.run($0) }
        }
    }
}
