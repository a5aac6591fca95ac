// PredictiveMaintenance benchmarks, the Swift side: the ring (per item and in blocks, like
// bench/spsc-ring.c) and the window chain (features + 4096-point PSD + envelope verdict) over a
// recording. Usage: pm-bench ring SAMPLES | pm-bench chain FILE.f32 RATE WINDOWS
import Glibc
import PredictiveMaintenance

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func ringBenchmark(samples: Int) {
    let ring = SPSCRing<Float>(minimumCapacity: 4096)
    var block = (0..<1000).map(Float.init)
    var sink: Float = 0
    var bestItem = Double.infinity, bestBlock = Double.infinity
    for _ in 0..<3 {
        var start = now()
        var done = 0
        while done < samples {
            for index in 0..<1000 { ring.push(Float(index)) }
            for _ in 0..<1000 { sink += ring.pop() ?? 0 }
            done += 1000
        }
        bestItem = min(bestItem, (now() - start) / Double(samples) * 1e9)
        start = now()
        done = 0
        while done < samples {
            block.withUnsafeBufferPointer { _ = ring.write($0) }
            block.withUnsafeMutableBufferPointer { _ = ring.read(into: $0) }
            sink += block[7]
            done += 1000
        }
        bestBlock = min(bestBlock, (now() - start) / Double(samples) * 1e9)
    }
    print("swift_ring item_ns=\(bestItem) block_ns=\(bestBlock) checksum=\(sink)")
}

func chainBenchmark(path: String, rate: Double, windows: Int) {
    guard let file = fopen(path, "rb") else {
        print("cannot open \(path)")
        exit(2)
    }
    fseek(file, 0, SEEK_END)
    let count = ftell(file) / 4
    fseek(file, 0, SEEK_SET)
    var samples = [Float](repeating: 0, count: count)
    _ = samples.withUnsafeMutableBytes { fread($0.baseAddress, 4, count, file) }
    fclose(file)
    let frame = 4096, hop = 2048
    let analyzer = WindowAnalyzer(.init(sampleRate: rate, frameLength: frame,
                                        bearing: BearingGeometry(rollingElements: 8, elementDiameter: 0.235, pitchDiameter: 1.245),
                                        shaftHz: 25))
    var checksum = 0.0
    let start = now()
    samples.withUnsafeBufferPointer { all in
        var window = 0, offset = 0
        while window < windows {
            if offset + frame > all.count { offset = 0 }
            let result = analyzer.analyze(UnsafeBufferPointer(rebasing: all[offset..<(offset + frame)]))
            checksum += result.velocityRMS + result.features.kurtosis + result.verdictScore
            offset += hop
            window += 1
        }
    }
    let seconds = now() - start
    print("swift_chain windows=\(windows) us_per_window=\(seconds / Double(windows) * 1e6) "
          + "ns_per_sample=\(seconds / Double(windows * hop) * 1e9) checksum=\(checksum)")
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "ring": ringBenchmark(samples: arguments.count > 2 ? Int(arguments[2]) ?? 100_000_000 : 100_000_000)
case "chain" where arguments.count == 5: chainBenchmark(path: arguments[2], rate: Double(arguments[3]) ?? 48828, windows: Int(arguments[4]) ?? 1000)
default:
    print("usage: pm-bench ring SAMPLES | pm-bench chain FILE.f32 RATE WINDOWS")
    exit(2)
}
