// The fuzzing driver. Built by `make fuzz` with -sanitize=fuzzer and -DFUZZING, it hands over to
// libFuzzer's driver with the target EDGE_NODE_FUZZ_TARGET names; built plainly, it replays
// inputs through the same targets: `edge-node-fuzz TARGET FILE...`.
import EdgeNode
#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
/// libFuzzer's driver (compiler-rt), for programs that have a main of their own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) private var selected = FuzzTarget.nmea
#endif

@main
enum FuzzDriver {
    static func main() {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        #if FUZZING
        let name = getenv("EDGE_NODE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            print("set EDGE_NODE_FUZZ_TARGET to one of \(names)")
            exit(2)
        }
        selected = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            selected.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
        #else
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: edge-node-fuzz \(names) FILE...")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                print("edge-node-fuzz: cannot open \(path)")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while case let count = fread(&chunk, 1, chunk.count, file), count > 0 { bytes += chunk.prefix(count) }
            fclose(file)
            bytes.withUnsafeBytes { target.run($0) }
        }
        #endif
    }
}
