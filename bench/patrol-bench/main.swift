// PatrolAgent benchmarks, the Swift side. Usage:
//   patrol-bench agent FIXES              per-fix decision latency (p50, p99) and fixes/s
//   patrol-bench pairs COUNT FILE         write random geodesic pairs for the peers
//   patrol-bench geodesic FILE            ns per inverse call on those pairs
//   patrol-bench replay ROUTE NMEA        end to end: capture -> parser -> agent -> report
import EdgeNode
import Glibc
import PatrolAgent

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A deterministic generator (the benchmark must do the same work every run).
struct Generator {
    var state: UInt64
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
}

/// A square loop of 40 checkpoints (one every 50 m, pass-by, radius 3 m) with an inclusion fence
/// and an exclusion circle, driven at 5 m/s, 10 Hz, with 0.3 m of noise.
func agentBenchmark(fixes count: Int) {
    let frame = LocalFrame(latitude: 22.27, longitude: 113.57)
    func coordinate(_ e: Double, _ n: Double) -> Coordinate {
        let p = frame.geodetic(ENU(east: e, north: n))
        return Coordinate(latitude: p.latitude, longitude: p.longitude)
    }
    func loop(_ s: Double) -> (Double, Double) {
        let side = 500.0, d = s.truncatingRemainder(dividingBy: 4 * side)
        switch d {
        case ..<side: return (d, 0)
        case ..<(2 * side): return (side, d - side)
        case ..<(3 * side): return (3 * side - d, side)
        default: return (0, 4 * side - d)
        }
    }
    let checkpoints = (1...40).map { i -> Checkpoint in
        let (e, n) = loop(Double(i) * 50)
        let c = coordinate(e, n)
        return Checkpoint(name: "cp\(i)", latitude: c.latitude, longitude: c.longitude, radius: 3, arrival: .passBy)
    }
    let fences = [Geofence(name: "yard", shape: .polygon([coordinate(-50, -50), coordinate(550, -50), coordinate(550, 550), coordinate(-50, 550)]),
                           kind: .inclusion, level: .hard, action: "stop"),
                  Geofence(name: "substation", shape: .circle(centre: coordinate(250, 250), radius: 30), kind: .exclusion, level: .soft, action: "warn")]
    let route = Route(name: "bench", ellipsoid: .wgs84, checkpoints: checkpoints, fences: fences)
    var generator = Generator(state: 7)
    var fixList: [PatrolFix] = []
    fixList.reserveCapacity(count)
    for index in 0..<count {
        let (e, n) = loop(Double(index) * 0.5)
        let c = frame.geodetic(ENU(east: e + 0.3 * (generator.uniform() - 0.5), north: n + 0.3 * (generator.uniform() - 0.5)))
        fixList.append(PatrolFix(time: Double(index) / 10, latitude: c.latitude, longitude: c.longitude, quality: .rtkFixed, hdop: 0.8))
    }
    var latencies = [Double](repeating: 0, count: count)
    var agent = PatrolAgent(route: route, reader: NoReadings())
    var events = 0
    let start = now()
    for index in 0..<count {
        if agent.isComplete { agent = PatrolAgent(route: route, reader: NoReadings()) }
        let t0 = now()
        agent.ingest(fixList[index]) { _ in events += 1 }
        latencies[index] = now() - t0
    }
    let seconds = now() - start
    latencies.sort()
    print("swift_agent fixes=\(count) p50_us=\(latencies[count / 2] * 1e6) p99_us=\(latencies[count * 99 / 100] * 1e6) "
          + "fixes_per_s=\(Double(count) / seconds) events=\(events)")
}

func writePairs(count: Int, path: String) {
    var generator = Generator(state: 11)
    guard let file = fopen(path, "w") else { exit(2) }
    for _ in 0..<count {
        let values = [generator.uniform() * 180 - 90, generator.uniform() * 360 - 180, generator.uniform() * 180 - 90, generator.uniform() * 360 - 180]
        fputs(values.map { "\($0)" }.joined(separator: " ") + "\n", file)
    }
    fclose(file)
}

func geodesicBenchmark(path: String) {
    guard let file = fopen(path, "r") else { exit(2) }
    var values: [Double] = []
    var value = 0.0
    while fscanf_double(file, &value) { values.append(value) }
    fclose(file)
    let geodesic = Geodesic(.wgs84)
    var best = Double.infinity, checksum = 0.0
    let pairs = values.count / 4
    for _ in 0..<3 {
        checksum = 0
        let start = now()
        for i in 0..<pairs {
            checksum += geodesic.inverse(latitude1: values[4 * i], longitude1: values[4 * i + 1], latitude2: values[4 * i + 2], longitude2: values[4 * i + 3]).distance
        }
        best = min(best, (now() - start) / Double(pairs) * 1e9)
    }
    print("swift_geodesic ns_per_inverse=\(best) checksum=\(checksum)")
}

func fscanf_double(_ file: UnsafeMutablePointer<FILE>, _ value: inout Double) -> Bool {
    withVaList([withUnsafeMutablePointer(to: &value) { $0 }]) { vfscanf(file, "%lf", $0) } == 1
}

func replayBenchmark(route: String, nmea: String) {
    var best = Double.infinity
    var fixes = 0
    for _ in 0..<3 {
        let start = now()
        guard let replay = try? PatrolCommands.replay(routePath: route, nmeaPath: nmea) else { exit(1) }
        best = min(best, now() - start)
        fixes = replay.track.count
    }
    print("swift_replay seconds=\(best) fixes=\(fixes)")
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "agent": agentBenchmark(fixes: Int(arguments[2]) ?? 1_000_000)
case "pairs": writePairs(count: Int(arguments[2]) ?? 100_000, path: arguments[3])
case "geodesic": geodesicBenchmark(path: arguments[2])
case "replay": replayBenchmark(route: arguments[2], nmea: arguments[3])
default:
    print("usage: patrol-bench agent FIXES | pairs COUNT FILE | geodesic FILE | replay ROUTE NMEA")
    exit(2)
}
