import RealModule

/// A deterministic model of a rotating machine's acceleration, for demonstrations and tests:
/// shaft harmonics, Gaussian noise and, for a damaged bearing, an impact at every pass of a
/// rolling element over the defect, each ringing a structural resonance (the signature envelope
/// analysis looks for). Inner-race impacts are amplitude-modulated at the shaft rate, as the
/// defect turns in and out of the load zone.
public struct SyntheticVibration: Sendable {
    public var sampleRate: Double
    public var shaftHz: Double
    public var bearing: BearingGeometry
    /// The damaged part, or ``BearingFault/none`` for a healthy machine.
    public var fault: BearingFault
    /// Peak acceleration of one impact (sample units, e.g. g).
    public var impactAmplitude = 1.0
    /// The resonance the impacts ring, Hz, and its decay time, seconds.
    public var resonanceHz = 3_000.0
    public var decaySeconds = 0.0008
    /// Amplitudes of the 1x, 2x and 3x shaft harmonics.
    public var harmonics = (0.05, 0.02, 0.01)
    /// Standard deviation of the background noise.
    public var noise = 0.05
    /// Seed of the noise generator (same seed, same samples).
    public var seed: UInt64 = 1

    public init(sampleRate: Double, shaftHz: Double, bearing: BearingGeometry, fault: BearingFault) {
        self.sampleRate = sampleRate
        self.shaftHz = shaftHz
        self.bearing = bearing
        self.fault = fault
    }

    /// `count` samples from time 0.
    public func samples(count: Int) -> [Float] {
        let f = bearing.defectFrequencies(shaftHz: shaftHz)
        let impactRate: Double? = switch fault {
        case .outerRace: f.bpfo
        case .innerRace: f.bpfi
        case .ball: 2 * f.bsf
        case .cage: f.ftf
        case .none: nil
        }
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        let ringSamples = Int(6 * decaySeconds * sampleRate)
        var output = [Double](repeating: 0, count: count)
        for index in 0..<count {
            let t = Double(index) / sampleRate
            let phase = 2 * Double.pi * shaftHz * t
            let gaussian = (-2 * Double.log(uniform())).squareRoot() * Double.cos(2 * .pi * uniform())
            output[index] = harmonics.0 * Double.sin(phase) + harmonics.1 * Double.sin(2 * phase + 0.5)
                + harmonics.2 * Double.sin(3 * phase + 1) + noise * gaussian
        }
        if let impactRate {
            var impact = 0
            while true {
                let time = Double(impact) / impactRate
                let start = Int(time * sampleRate)
                guard start < count else { break }
                let modulation = fault == .innerRace ? 0.6 + 0.4 * Double.cos(2 * .pi * shaftHz * time) : 1
                for offset in 0..<min(ringSamples, count - start) {
                    let local = Double(offset) / sampleRate
                    output[start + offset] += impactAmplitude * modulation * Double.exp(-local / decaySeconds)
                        * Double.sin(2 * .pi * resonanceHz * local)
                }
                impact += 1
            }
        }
        return output.map { Float($0) }
    }
}
