import Foundation

/// Runs a Python script with numpy and scipy on `samples` (written as float32 to a temporary file
/// whose path the script receives as `sys.argv[1]`) and decodes the JSON it prints.
func numpy(_ script: String, samples: [Float]) throws -> [String: Any] {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("edge-node-peer-\(UUID().uuidString).f32")
    try samples.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import sys, json\nimport numpy as np\nimport scipy.signal, scipy.stats\n"
                            + "x = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64)\n" + script, file.path]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PeerError(message: "python3 failed: " + String(decoding: errors, as: UTF8.self))
    }
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

struct PeerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Deterministic test signals.
enum Signals {
    /// A sine of `amplitude` at `frequency` Hz plus `offset`.
    static func sine(count: Int, rate: Double, frequency: Double, amplitude: Double = 1, offset: Double = 0) -> [Float] {
        (0..<count).map { Float(offset + amplitude * sin(2 * .pi * frequency * Double($0) / rate)) }
    }

    /// Gaussian noise of standard deviation `sigma` (Box-Muller over a fixed linear congruential generator).
    static func noise(count: Int, sigma: Double, seed: UInt64 = 42) -> [Float] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return (0..<count).map { _ in Float(sigma * (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())) }
    }

    /// Unit impulses every `period` samples on top of small noise.
    static func impulses(count: Int, period: Int) -> [Float] {
        var samples = noise(count: count, sigma: 0.05, seed: 7)
        for index in stride(from: 0, to: count, by: period) { samples[index] += 1 }
        return samples
    }
}
