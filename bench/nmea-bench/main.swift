// The NMEA library alone: the whole pipeline (framer, decoder, epoch assembly) over a capture
// held in memory, timed with the monotonic clock; then the framer alone and the framer with the
// decoder, to show where the time goes. Usage: nmea-bench FILE [REPEATS]
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

/// The best of `repeats` runs of `start`, then `feed` for each 64 KiB chunk, then `end`.
@MainActor func best(_ start: () -> Void, _ feed: (UnsafeRawBufferPointer) -> Void, _ end: () -> Void = {}) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        start()
        let began = now()
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunkEnd = min(offset + 65536, bytes.count)
                feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<chunkEnd]))
                offset = chunkEnd
            }
        }
        end()
        best = min(best, now() - began)
    }
    return best
}

var stream = NMEAStream()
var counter = Counter()
let library = best({ stream = NMEAStream(); counter = Counter() },
                   { stream.feed($0, into: &counter) }, { stream.finish(into: &counter) })
var framer = NMEAFramer()
var fields = 0
let framing = best({ framer = NMEAFramer() }, { framer.feed($0) { fields &+= $0.fieldCount } })
var decoded = 0
let decoding = best({ framer = NMEAFramer() }, { framer.feed($0) { if (try? NMEADecoder.decode($0)) != nil { decoded &+= 1 } } })
print("library seconds=\(library) sentences=\(stream.framer.sentencesDelivered) bytes=\(size) epochs=\(counter.epochs)"
      + " framing=\(framing) framing+decoding=\(decoding)")
