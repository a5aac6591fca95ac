import EdgeIO
import PredictiveMaintenance

/// The simulated plant's pump, whose drive-end accelerometer is the vibration sensor's twin: the
/// daemon's simulated maintenance channels, `simulate vibration` and the demos all use it.
public enum SimulatedPump {
    /// The shaft speed, Hz: the simulated GPIO board's tachometer's.
    public static let shaftHz = PlantGPIOScenario.tachHz
    /// The drive-end bearing (millimetres), when a site names none.
    public static let bearing = BearingGeometry(rollingElements: 8, elementDiameter: 7.94, pitchDiameter: 39.04)

    /// `seconds` of the accelerometer's signal (g) at `sampleRate`, with a bearing `fault` (or
    /// none), as float32 little-endian samples; the same `seed` gives the same bytes.
    public static func recording(fault: BearingFault, sampleRate: Double, seconds: Double, seed: UInt64 = 1) -> [UInt8] {
        var model = SyntheticVibration(sampleRate: sampleRate, shaftHz: shaftHz, bearing: bearing, fault: fault)
        model.seed = seed
        var bytes: [UInt8] = []
        for sample in model.samples(count: Int(sampleRate * seconds)) {
            withUnsafeBytes(of: sample.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}
