#if canImport(Glibc)
import Glibc
#endif

/// A level change on an input line, stamped by the kernel (CLOCK_MONOTONIC, kernel 5.7 and later)
/// or by the simulated chip's clock.
public struct EdgeEvent: Sendable, Equatable {
    public enum Edge: Sendable, Equatable { case rising, falling }
    public var edge: Edge
    /// Nanoseconds on the monotonic clock.
    public var timestamp: Int64
}

/// Which edges an input reports.
public enum EdgeDetection: String, Sendable, Equatable, CaseIterable { case none, rising, falling, both }

/// The line's bias resistor.
public enum Bias: String, Sendable, Equatable, CaseIterable {
    case asIs = "as-is", disabled, pullUp = "pull-up", pullDown = "pull-down"
}

/// A line by number on its chip, or by the name the device tree gives it.
public enum LineSelector: Sendable, Equatable, CustomStringConvertible {
    case offset(Int)
    case name(String)

    public var description: String {
        switch self {
        case .offset(let offset): "line \(offset)"
        case .name(let name): "line '\(name)'"
        }
    }
}

/// Why a GPIO request failed.
public enum GPIOError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchChip(String)
    case noSuchLine(chip: String, line: String)
    case lineBusy(chip: String, line: String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .noSuchChip(let chip): "no GPIO chip '\(chip)' (ls /dev/gpiochip*; the gateway may have none, or the user lacks the 'gpio' group)"
        case .noSuchLine(let chip, let line): "\(chip) has no \(line)"
        case .lineBusy(let chip, let line): "\(line) of \(chip) is already requested by another consumer (gpioinfo \(chip) shows which)"
        case .system(let error): error.description
        }
    }
}

/// An input line: its level, and (with edge detection) a descriptor that becomes readable when
/// edges are waiting, for the event loop.
public protocol GPIOInput: AnyObject {
    /// The descriptor to poll for edge events (-1 without edge detection).
    var fileDescriptor: Int32 { get }
    /// The logical level (active-low already applied).
    func value() throws(GPIOError) -> Bool
    /// Reads the waiting edge events (call when ``fileDescriptor`` is readable).
    func readEvents(_ body: (EdgeEvent) -> Void) throws(GPIOError)
}

/// An output line.
public protocol GPIOOutput: AnyObject {
    func set(_ value: Bool) throws(GPIOError)
}

/// What a chip says about one of its lines.
public struct GPIOLineInfo: Sendable, Equatable {
    public var offset: Int
    /// The name the device tree (or the simulated chip) gives it.
    public var name: String?
    /// Who has requested it (nil: free).
    public var consumer: String?
    public var isOutput: Bool
    public var activeLow: Bool

    public init(offset: Int, name: String?, consumer: String?, isOutput: Bool, activeLow: Bool) {
        self.offset = offset
        self.name = name
        self.consumer = consumer
        self.isOutput = isOutput
        self.activeLow = activeLow
    }
}

/// A GPIO chip. The libgpiod v1 backend and the simulated chip implement it; a libgpiod 2
/// backend would too.
public protocol GPIOChip: AnyObject {
    var name: String { get }
    /// The driver's label (e.g. "pinctrl-bcm2711").
    var label: String { get }
    /// Every line with its name, consumer and direction.
    func lines() -> [GPIOLineInfo]
    func input(_ line: LineSelector, consumer: String, bias: Bias, activeLow: Bool, edges: EdgeDetection) throws(GPIOError) -> any GPIOInput
    /// An output, driven to `initial` (the safe value) as soon as it is requested.
    func output(_ line: LineSelector, consumer: String, initial: Bool) throws(GPIOError) -> any GPIOOutput
}

/// One thread, many lines: polls the inputs' descriptors and hands each edge to its handler.
/// The simulated chip's descriptors are real pipes, so this is the same path as with the kernel.
public final class GPIOEventLoop {
    private var inputs: [(input: any GPIOInput, handler: (EdgeEvent) -> Void)] = []
    /// Called after each poll with the monotonic time, for debouncers to settle.
    public var onTick: ((Int64) -> Void)?

    public init() {}

    public func watch(_ input: any GPIOInput, _ handler: @escaping (EdgeEvent) -> Void) {
        precondition(input.fileDescriptor >= 0, "the input was requested without edge detection")
        inputs.append((input, handler))
    }

    /// Waits up to `timeout` seconds for edges and dispatches them; returns how many.
    @discardableResult
    public func runOnce(timeout: Double, now: () -> Int64 = { Int64(monotonicSeconds() * 1e9) }) throws(GPIOError) -> Int {
        var pollers = inputs.map { pollfd(fd: $0.input.fileDescriptor, events: Int16(POLLIN), revents: 0) }
        // Rounded up: a deadline a fraction of a millisecond away must not spin.
        let ready = poll(&pollers, nfds_t(pollers.count), Int32((timeout * 1000).rounded(.up)))
        if ready == -1 && errno != EINTR { throw .system(SystemError(operation: "poll GPIO lines", errno: errno)) }
        var count = 0
        for (index, poller) in pollers.enumerated() where poller.revents & Int16(POLLIN) != 0 {
            try inputs[index].input.readEvents { event in
                count += 1
                inputs[index].handler(event)
            }
        }
        onTick?(now())
        return count
    }
}
