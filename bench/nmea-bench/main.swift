// The NMEA library alone: the whole pipeline (framer, decoder, epoch assembly) over a capture
// held in memory, timed with the monotonic clock. Usage: nmea-bench FILE [REPEATS]
import Glibc
import NMEAParser

struct Counter: NMEAStreamConsumer {
    var epochs = 0
    mutating func epoch(_ fix: Fix, _ sky: SkyView) { epochs += 1 }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let file = fopen(arguments[1], "rb") else {
    print("usage: nmea-bench FILE [REPEATS]")
    exit(2)
}
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
fseek(file, 0, SEEK_END)
let size = ftell(file)
fseek(file, 0, SEEK_SET)
var data = [UInt8](repeating: 0, count: size)
_ = data.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
fclose(file)

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

var best = Double.infinity
var sentences = 0
for _ in 0..<repeats {
    var stream = NMEAStream()
    var counter = Counter()
    let start = now()
    data.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 65536, bytes.count)
            stream.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &counter)
            offset = end
        }
    }
    stream.finish(into: &counter)
    best = min(best, now() - start)
    sentences = stream.framer.sentencesDelivered
}
print("library seconds=\(best) sentences=\(sentences) bytes=\(size)")
