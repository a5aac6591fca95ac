#if canImport(Glibc)
import Glibc
#endif
import NMEAParser
import Synchronization

/// A GNSS receiver as the gateway knows it: its port settings and what to send it at start-up.
public struct ReceiverProfile: Sendable, Equatable {
    public var name: String
    public var settings: SerialSettings
    /// Bytes sent after every open, in order (NMEA commands with their checksums, UBX frames).
    public var startupCommands: [[UInt8]]
    /// Seconds without a byte after which the receiver counts as silent.
    public var silentAfter: Double

    public init(name: String, settings: SerialSettings, startupCommands: [[UInt8]] = [], silentAfter: Double = 3) {
        self.name = name
        self.settings = settings
        self.startupCommands = startupCommands
        self.silentAfter = silentAfter
    }
}

/// What the receiver service reports.
public enum GNSSEvent: Sendable {
    /// One receiver epoch: its fix and sky view.
    case epoch(Fix, SkyView)
    /// The port is open and the start-up commands were sent.
    case opened(path: String)
    /// No byte for ``ReceiverProfile/silentAfter`` seconds.
    case silent(seconds: Double)
    /// Bytes, but no epoch, for ``ReceiverProfile/silentAfter`` seconds; what arrived says why.
    case stalled(seconds: Double, ReceiverStall)
    /// Bytes again after a silence, or an epoch again after a stall.
    case resumed
    /// The port failed or went away; the service retries after `retryIn` seconds.
    case unavailable(reason: String, retryIn: Double)
}

/// What a receiver sent since its last epoch (or since the port opened) when no epoch came of it:
/// why a fix does not come.
public enum ReceiverStall: Sendable, Equatable {
    /// Bytes, but no NMEA sentence in them: the wrong baud rate, or binary output only.
    case noSentence(bytes: Int)
    /// Sentences, but none of a type that carries the time (GGA, RMC, GLL, GNS, ZDA).
    case noTimedSentence(sentences: Int)
    /// Sentences that carry the time, but with it empty or not advancing: no satellite tracked yet.
    case noNewTime(sentences: Int)
}

/// Serial port -> NMEAParser -> fixes and sky views, with silence detection and reopening with
/// bounded exponential backoff when the receiver is unplugged or not there yet.
public final class GNSSReceiverService: @unchecked Sendable {
    public let path: String
    public let profile: ReceiverProfile
    /// First and largest wait between attempts to open the port, seconds.
    public var backoff = RestartBackoff(initial: 0.5, maximum: 30)
    /// Seconds on a monotonic clock (injected for tests).
    private let clock: @Sendable () -> Double
    private var stream = NMEAStream()

    public init(path: String, profile: ReceiverProfile, clock: @escaping @Sendable () -> Double = monotonicSeconds) {
        self.path = path
        self.profile = profile
        self.clock = clock
    }

    /// Counts of everything parsed so far (sentences, errors, epochs).
    public var statistics: NMEAStatistics { stream.statistics }
    /// Bytes the framer discarded so far, by reason.
    public var discards: NMEAFramer.Discards { stream.framer.discards }
    /// Bytes read from the port so far.
    public var bytesReceived: Int { stream.framer.bytesConsumed }
    /// Where the stream was at the last epoch (or when the port opened).
    private var sinceEpoch = (bytes: 0, sentences: 0, timedSentences: 0)

    /// Why no epoch has come since the last one, from what arrived since; nil when nothing did.
    public var stall: ReceiverStall? {
        let bytes = bytesReceived - sinceEpoch.bytes
        let sentences = stream.framer.sentencesDelivered - sinceEpoch.sentences
        guard bytes > 0 else { return nil }
        if sentences == 0 { return .noSentence(bytes: bytes) }
        return sinceEpoch.timedSentences == 0 ? .noTimedSentence(sentences: sentences) : .noNewTime(sentences: sentences)
    }

    private func markEpoch() {
        sinceEpoch = (bytesReceived, stream.framer.sentencesDelivered, 0)
    }

    /// Runs until `shouldStop` says so (checked at least every 100 ms), calling `onEvent` in order.
    public func run(shouldStop: () -> Bool, _ onEvent: (GNSSEvent) -> Void) {
        var backoff = self.backoff
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !shouldStop() {
            let port: SerialPort
            do throws(SerialError) {
                port = try SerialPort(path: path, settings: profile.settings)
                for command in profile.startupCommands { try Self.write(command, to: port) }
            } catch {
                retry(after: error, &backoff, shouldStop, onEvent)
                continue
            }
            onEvent(.opened(path: path))
            backoff.succeeded()
            var liveness = ReceiverLiveness(silentAfter: profile.silentAfter, now: clock())
            markEpoch()
            var collector = Collector()
            do throws(SerialError) {
                while !shouldStop() {
                    let count = try Self.read(port, into: &buffer)
                    let now = clock()
                    if count == 0 {
                        if case .silent(let seconds)? = liveness.nothingRead(at: now) { onEvent(.silent(seconds: seconds)) }
                        continue
                    }
                    buffer.withUnsafeBytes { stream.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count]), into: &collector) }
                    sinceEpoch.timedSentences += collector.timedSentences
                    collector.timedSentences = 0
                    // What the bytes since the last epoch were, for a stall; read before an epoch resets it.
                    let stallSinceEpoch = stall
                    if !collector.epochs.isEmpty { markEpoch() }
                    for change in liveness.bytesRead(at: now, completedEpoch: !collector.epochs.isEmpty) {
                        switch change {
                        case .resumed: onEvent(.resumed)
                        case .stalled(let seconds): if let stallSinceEpoch { onEvent(.stalled(seconds: seconds, stallSinceEpoch)) }
                        case .silent: break
                        }
                    }
                    for (fix, sky) in collector.epochs { onEvent(.epoch(fix, sky)) }
                    collector.epochs.removeAll(keepingCapacity: true)
                }
                return
            } catch {
                retry(after: error, &backoff, shouldStop, onEvent)
            }
        }
    }

    /// The events as an async stream; the service runs on its own thread until the stream's
    /// consumer stops listening.
    public func events() -> AsyncStream<GNSSEvent> {
        AsyncStream { continuation in
            let stopped = StopFlag()
            continuation.onTermination = { _ in stopped.set() }
            let thread = ServiceThread { [self] in
                run(shouldStop: { stopped.isSet }) { continuation.yield($0) }
                continuation.finish()
            }
            thread.start()
        }
    }

    private static func write(_ bytes: [UInt8], to port: SerialPort) throws(SerialError) {
        var failure: SerialError?
        bytes.withUnsafeBytes { raw in
            do throws(SerialError) { try port.write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private static func read(_ port: SerialPort, into buffer: inout [UInt8]) throws(SerialError) -> Int {
        var result: Result<Int, SerialError> = .success(0)
        buffer.withUnsafeMutableBytes { raw in
            do throws(SerialError) { result = .success(try port.read(into: raw, timeout: 0.1)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// Reports the port unavailable and waits the backoff's next delay.
    private func retry(after error: SerialError, _ backoff: inout RestartBackoff, _ shouldStop: () -> Bool, _ onEvent: (GNSSEvent) -> Void) {
        let delay = backoff.failed()
        onEvent(.unavailable(reason: error.description, retryIn: delay))
        wait(delay, unless: shouldStop, clock: clock)
    }

    private struct Collector: NMEAStreamConsumer {
        var epochs: [(Fix, SkyView)] = []
        /// Sentences of the types that carry the time, which close epochs when it advances.
        var timedSentences = 0

        mutating func epoch(_ fix: Fix, _ sky: SkyView) { epochs.append((fix, sky)) }

        mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler) {
            switch record {
            case .gga, .rmc, .gll, .gns, .zda: timedSentences += 1
            default: break
            }
        }
    }
}

/// A flag set once, read from other threads: how a blocking loop on a thread of its own is asked
/// to stop.
public final class StopFlag: Sendable {
    private let flag = Atomic(false)
    public init() {}
    public func set() { flag.store(true, ordering: .relaxed) }
    public var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// A detached POSIX thread running one closure.
public final class ServiceThread: @unchecked Sendable {
    private let name: String?
    private let body: @Sendable () -> Void

    /// A thread that will run `body`; `name` (its first 15 bytes) shows in `top -H` and `ps -L`.
    public init(name: String? = nil, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    /// Starts the thread, detached.
    public func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { context in
            let me = Unmanaged<ServiceThread>.fromOpaque(context!).takeRetainedValue()
            if let name = me.name { ServiceThread.nameThisThread(name) }
            me.body()
            return nil
        }, box)
        pthread_detach(thread)
    }

    /// Names the calling thread (the kernel keeps 15 bytes); pthread_setname_np needs _GNU_SOURCE,
    /// which Swift's Glibc module does not define.
    private static func nameThisThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}
