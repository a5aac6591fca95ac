import Foundation
import Testing
@testable import PredictiveMaintenance

/// Frequencies that come from devices (a speed point, a tachometer) can be NaN, infinite or far
/// out of range: the library answers with nothing found, never a trap.
@Suite("Robustness")
struct RobustnessTests {
    @Test func binsOfAnyFrequencyPair() {
        let values = [Double](repeating: 1, count: 100)
        values.withUnsafeBufferPointer { buffer in
            let view = SpectrumView(values: buffer, resolution: 0.5)
            let extremes: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, -1, 0, 10, 49.5, 60]
            for low in extremes {
                for high in extremes {
                    let range = view.bins(from: low, to: high)
                    #expect(range.isEmpty || (range.lowerBound >= 0 && range.upperBound <= 100), "\(low) \(high): \(range)")
                    _ = view.bandPower(from: low, to: high)
                    _ = view.strongest(from: low, to: high)
                }
            }
            #expect(view.bins(from: 10, to: 20) == 20..<41)
            #expect(view.bins(from: -.infinity, to: .infinity) == 0..<100)
            #expect(view.bins(from: .nan, to: 20).isEmpty)
        }
    }

    /// Sampled at 2 kHz or less there is no band above the lowest kilohertz (found by make fuzz:
    /// 636 Hz trapped on an empty range).
    @Test(arguments: [50.0, 636.5717810663795, 1000, 2000, 2100])
    func impulsiveBandAtLowRates(rate: Double) {
        let count = 4096
        let samples = (0..<count).map { Float(sin(Double($0) * 0.7) + (($0 % 97) == 0 ? 3 : 0)) }
        let band = samples.withUnsafeBufferPointer { EnvelopeAnalyzer(length: count, sampleRate: rate).impulsiveBand($0) }
        #expect(band.lowerBound > 0 && band.upperBound < rate / 2, "\(band)")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 0, -25, 1e300, .leastNonzeroMagnitude])
    func diagnosisWithAnyShaftSpeed(shaftHz: Double) {
        let rate = 25_600.0, count = 8192
        var state: UInt64 = 7
        let samples = (0..<count).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state) >> 40) * 1e-6
        }
        let analyzer = EnvelopeAnalyzer(length: count, sampleRate: rate)
        let diagnosis = samples.withUnsafeBufferPointer {
            analyzer.diagnose($0, bearing: BearingGeometry(rollingElements: 8, elementDiameter: 0.235, pitchDiameter: 1.245), nominalShaftHz: shaftHz)
        }
        #expect(diagnosis.verdict == .none, "shaft \(shaftHz): \(diagnosis.verdict)")
    }
}
