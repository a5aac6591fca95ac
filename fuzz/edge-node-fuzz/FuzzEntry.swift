// The fuzzing driver. Built by `make fuzz` with -sanitize=fuzzer and -DFUZZING, libFuzzer runs
// the target that EDGE_NODE_FUZZ_TARGET names; built plainly, it replays inputs through the
// same targets: `edge-node-fuzz TARGET FILE...` (what `make test` does with fuzz/corpus/).
import EdgeNode
#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
nonisolated(unsafe) private var target: FuzzTarget?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if target == nil {
        let name = getenv("EDGE_NODE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let chosen = FuzzTarget(rawValue: name) else {
            fatalError("set EDGE_NODE_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        target = chosen
    }
    target!.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
@main
enum Replay {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: edge-node-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = fread(&chunk, 1, chunk.count, file)
                if count <= 0 { break }
                bytes += chunk.prefix(count)
            }
            fclose(file)
            bytes.withUnsafeBytes { target.run($0) }
        }
    }
}
#endif
