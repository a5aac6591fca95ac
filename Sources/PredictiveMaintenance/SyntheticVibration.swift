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
        var stream = Stream(self)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            stream.fill(buffer)
            initialized = count
        }
    }

    /// The same samples generated block by block in constant memory, for a live sensor twin;
    /// the fault's impacts can be scaled (a fault that develops from weight 0 to 1).
    public struct Stream: Sendable {
        public let model: SyntheticVibration
        /// Index of the next sample from time 0.
        public private(set) var position = 0
        private let impactRate: Double?
        private let ringSamples: Int
        private var noiseState: UInt64

        public init(_ model: SyntheticVibration) {
            self.model = model
            let f = model.bearing.defectFrequencies(shaftHz: model.shaftHz)
            impactRate = switch model.fault {
            case .outerRace: f.bpfo
            case .innerRace: f.bpfi
            case .ball: 2 * f.bsf
            case .cage: f.ftf
            case .none: nil
            }
            ringSamples = Int(6 * model.decaySeconds * model.sampleRate)
            noiseState = model.seed
        }

        /// Writes the next `output.count` samples, the impacts multiplied by `faultWeight`.
        public mutating func fill(_ output: UnsafeMutableBufferPointer<Float>, faultWeight: Double = 1) {
            let m = model
            for i in output.indices {
                let index = position + i
                let t = Double(index) / m.sampleRate
                let phase = 2 * Double.pi * m.shaftHz * t
                let gaussian = (-2 * Double.log(uniform())).squareRoot() * Double.cos(2 * .pi * uniform())
                var value = m.harmonics.0 * Double.sin(phase) + m.harmonics.1 * Double.sin(2 * phase + 0.5)
                    + m.harmonics.2 * Double.sin(3 * phase + 1) + m.noise * gaussian
                if let impactRate {
                    // The impacts still ringing at this sample, oldest first.
                    var impact = max(0, Int((Double(index - ringSamples) / m.sampleRate * impactRate).rounded(.down)) - 1)
                    while true {
                        let time = Double(impact) / impactRate
                        let start = Int(time * m.sampleRate)
                        guard start <= index else { break }
                        if index - start < ringSamples {
                            let modulation = m.fault == .innerRace ? 0.6 + 0.4 * Double.cos(2 * .pi * m.shaftHz * time) : 1
                            let local = Double(index - start) / m.sampleRate
                            value += faultWeight * (m.impactAmplitude * modulation * Double.exp(-local / m.decaySeconds)
                                * Double.sin(2 * .pi * m.resonanceHz * local))
                        }
                        impact += 1
                    }
                }
                output[i] = Float(value)
            }
            position += output.count
        }

        private mutating func uniform() -> Double {
            noiseState = noiseState &* 6364136223846793005 &+ 1442695040888963407
            return (Double(noiseState >> 11) + 0.5) / Double(1 << 53)
        }
    }
}
