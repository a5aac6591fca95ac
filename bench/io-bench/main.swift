// EdgeIO benchmarks, the Swift side. Usage:
//   io-bench gpio EVENTS            events/s through the event loop (simulated chip, batches of 1,000),
//                                   and latency from descriptor readiness to the consumer (p50, p99)
//   io-bench serial-write MB        create a pseudo-terminal, print its path, wait for a line on
//                                   stdin, then write MB megabytes to it and print the seconds
//   io-bench serial-read MB         the same, and read them back through SerialPort (MB/s)
import EdgeIO
import Glibc

func nanoseconds() -> Int64 { Int64(monotonicSeconds() * 1e9) }

func gpioBenchmark(events count: Int) throws {
    let chip = SimulatedChip(name: "bench")
    let input = try chip.input(.offset(0), consumer: "bench", bias: .asIs, activeLow: false, edges: .both)
    let loop = GPIOEventLoop()
    var received = 0
    var latencies: [Double] = []
    latencies.reserveCapacity(10_000)
    var measuring = false
    loop.watch(input) { event in
        received += 1
        if measuring { latencies.append(Double(nanoseconds() - event.timestamp)) }
    }
    // Throughput: batches of 1,000 edges, each batch drained by the loop.
    var level = false
    let start = monotonicSeconds()
    while received < count {
        for _ in 0..<1000 {
            level.toggle()
            chip.set(0, to: level, at: 0)
        }
        while try loop.runOnce(timeout: 0) > 0 {}
    }
    let seconds = monotonicSeconds() - start
    // Latency: one edge at a time, stamped when it is delivered, timed when the handler runs.
    measuring = true
    for _ in 0..<10_000 {
        level.toggle()
        chip.set(0, to: level, at: nanoseconds())
        try loop.runOnce(timeout: 1)
    }
    latencies.sort()
    print("swift_gpio events_per_s=\(Double(received) / seconds) p50_us=\(latencies[latencies.count / 2] / 1000) "
          + "p99_us=\(latencies[latencies.count * 99 / 100] / 1000)")
}

func serialBenchmark(megabytes: Int, readBack: Bool) throws {
    let terminal = try PseudoTerminal()
    // The path on stdout, unbuffered, for the script that starts the reader.
    let announcement = Array((terminal.path + "\n").utf8)
    _ = announcement.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    _ = readLine()  // the reader (socat, or ourselves below) is ready
    let total = megabytes * 1_000_000
    let chunk = [UInt8](repeating: 0x24, count: 4096)
    if readBack {
        let port = try SerialPort(path: terminal.path, settings: SerialSettings(baud: 921_600))
        let start = monotonicSeconds()
        var received = 0, sent = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received < total {
            if sent < total { sent += try terminal.writeWithoutWaiting(Array(chunk.prefix(total - sent))) }
            received += try buffer.withUnsafeMutableBytes { try port.read(into: $0, timeout: 0) }
        }
        print("swift_serial seconds=\(monotonicSeconds() - start) bytes=\(received)")
        return
    }
    let start = monotonicSeconds()
    var sent = 0
    while sent < total {
        try terminal.write(chunk)
        sent += chunk.count
    }
    print("socat_serial seconds=\(monotonicSeconds() - start) bytes=\(sent)")
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 2 ? arguments[1] : "" {
    case "gpio": try gpioBenchmark(events: Int(arguments[2]) ?? 1_000_000)
    case "serial-write": try serialBenchmark(megabytes: Int(arguments[2]) ?? 50, readBack: false)
    case "serial-read": try serialBenchmark(megabytes: Int(arguments[2]) ?? 50, readBack: true)
    default:
        print("usage: io-bench gpio EVENTS | serial-write MB | serial-read MB")
        exit(2)
    }
} catch {
    print("io-bench: \(error)")
    exit(1)
}
