import EdgeIO
import Glibc
import PredictiveMaintenance

extension Site.Input {
    /// The point store's name for it.
    var storeName: String {
        switch self {
        case .modbus(let device, let point): "\(device).\(point)"
        case .gpio(let board, let line): "\(board).\(line)"
        }
    }
}

/// Where a maintenance channel's samples come from, one analysis frame at a time.
struct SampleSource {
    let speedup: Double
    /// The simulated machine, generated frame by frame (constant memory), and when its fault starts.
    private var machine: SyntheticVibration.Stream?
    private var developsAfter = 0.0
    private var file: BlockReader?
    private let format: RecordingAnalysis.Encoding
    private let frame: Int

    init(_ channel: Site.MaintenanceChannel, frame: Int) {
        self.frame = frame
        switch channel.source {
        case .simulated(let fault, let after, let speedup):
            self.speedup = speedup
            developsAfter = after
            format = .f32le
            machine = SyntheticVibration.Stream(SyntheticVibration(sampleRate: channel.sampleRate, shaftHz: SimulatedPump.shaftHz,
                                                                  bearing: channel.bearing ?? SimulatedPump.bearing, fault: fault))
        case .file(let path, let format):
            speedup = 1
            self.format = format
            file = BlockReader(path: path)
        }
    }

    /// The next frame of samples, or why there is none yet.
    mutating func next() -> Result<[Float], SourceWait> {
        if let file {
            let size = format == .s16le ? 2 : 4
            switch file.read(frame * size) {
            case .waiting: return .failure(.waiting)
            case .failed(let reason): return .failure(.failed(reason))
            case .block(let data):
                return .success(data.withUnsafeBytes { raw in
                    (0..<frame).map { index in
                        format == .s16le ? Float(raw.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)) / 32768
                                         : raw.loadUnaligned(fromByteOffset: index * 4, as: Float.self)
                    }
                })
            }
        }
        guard var machine else { return .failure(.waiting) }
        // The fault grows from nothing to full over 60 s after it starts.
        let seconds = Double(machine.position) / machine.model.sampleRate
        let weight = min(1, max(0, (seconds - developsAfter) / 60))
        let samples = [Float](unsafeUninitializedCapacity: frame) { buffer, initialized in
            machine.fill(buffer, faultWeight: weight)
            initialized = frame
        }
        self.machine = machine
        return .success(samples)
    }

    /// Why a frame is not there: not yet, or the source fails.
    enum SourceWait: Error {
        case waiting
        case failed(String)
    }

    /// The source as messages name it.
    var name: String { file?.path ?? "the simulated machine" }
}
