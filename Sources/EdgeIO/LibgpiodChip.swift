import CGPIOD
#if canImport(Glibc)
import Glibc
#endif

/// A GPIO chip through libgpiod v1: by name ("gpiochip0"), number ("0"), label or path.
public final class LibgpiodChip: GPIOChip {
    public let name: String
    private let chip: OpaquePointer

    public init(_ descriptor: String) throws(GPIOError) {
        guard let chip = gpiod_chip_open_lookup(descriptor) else {
            if errno == ENOENT || errno == ENODEV || errno == ENOTTY { throw .noSuchChip(descriptor) }
            throw .system(SystemError(operation: "open GPIO chip \(descriptor)", errno: errno))
        }
        self.chip = chip
        name = String(cString: gpiod_chip_name(chip))
    }

    deinit { gpiod_chip_close(chip) }

    public var label: String { String(cString: gpiod_chip_label(chip)) }

    /// The chips under /dev (gpiochip0, gpiochip1, ...), sorted by number.
    public static func available() -> [String] {
        directoryEntries("/dev").filter { $0.hasPrefix("gpiochip") }.sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }
    }

    public func lines() -> [GPIOLineInfo] {
        (0..<Int(gpiod_chip_num_lines(chip))).compactMap { offset in
            guard let line = gpiod_chip_get_line(chip, UInt32(offset)) else { return nil }
            return GPIOLineInfo(offset: offset, name: gpiod_line_name(line).map { String(cString: $0) },
                                consumer: gpiod_line_is_used(line) ? gpiod_line_consumer(line).map { String(cString: $0) } ?? "kernel" : nil,
                                isOutput: gpiod_line_direction(line) == Int32(GPIOD_LINE_DIRECTION_OUTPUT),
                                activeLow: gpiod_line_active_state(line) == Int32(GPIOD_LINE_ACTIVE_STATE_LOW))
        }
    }

    private func line(_ selector: LineSelector) throws(GPIOError) -> OpaquePointer {
        let found: OpaquePointer? = switch selector {
        case .offset(let offset): gpiod_chip_get_line(chip, UInt32(offset))
        case .name(let name): gpiod_chip_find_line(chip, name)
        }
        guard let found else { throw .noSuchLine(chip: name, line: selector.description) }
        return found
    }

    private func requestError(_ selector: LineSelector) -> GPIOError {
        errno == EBUSY ? .lineBusy(chip: name, line: selector.description)
            : .system(SystemError(operation: "request \(selector) of \(name)", errno: errno))
    }

    public func input(_ selector: LineSelector, consumer: String, bias: Bias, activeLow: Bool,
                      edges: EdgeDetection) throws(GPIOError) -> any GPIOInput {
        let handle = try line(selector)
        var flags: Int32 = activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        switch bias {
        case .asIs: break
        case .disabled: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
        case .pullUp: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
        case .pullDown: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
        }
        let result: Int32 = switch edges {
        case .none: gpiod_line_request_input_flags(handle, consumer, flags)
        case .rising: gpiod_line_request_rising_edge_events_flags(handle, consumer, flags)
        case .falling: gpiod_line_request_falling_edge_events_flags(handle, consumer, flags)
        case .both: gpiod_line_request_both_edges_events_flags(handle, consumer, flags)
        }
        guard result == 0 else { throw requestError(selector) }
        return LibgpiodInput(line: handle, edges: edges != .none)
    }

    public func output(_ selector: LineSelector, consumer: String, initial: Bool) throws(GPIOError) -> any GPIOOutput {
        let handle = try line(selector)
        guard gpiod_line_request_output(handle, consumer, initial ? 1 : 0) == 0 else { throw requestError(selector) }
        return LibgpiodOutput(line: handle)
    }
}

final class LibgpiodInput: GPIOInput {
    private let line: OpaquePointer
    let fileDescriptor: Int32

    init(line: OpaquePointer, edges: Bool) {
        self.line = line
        fileDescriptor = edges ? gpiod_line_event_get_fd(line) : -1
    }

    deinit { gpiod_line_release(line) }

    func value() throws(GPIOError) -> Bool {
        let value = gpiod_line_get_value(line)
        guard value >= 0 else { throw .system(SystemError(operation: "read a GPIO line", errno: errno)) }
        return value == 1
    }

    func readEvents(_ body: (EdgeEvent) -> Void) throws(GPIOError) {
        var events = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
        let count = gpiod_line_event_read_fd_multiple(fileDescriptor, &events, UInt32(events.count))
        guard count >= 0 else { throw .system(SystemError(operation: "read GPIO events", errno: errno)) }
        for event in events.prefix(Int(count)) {
            body(EdgeEvent(edge: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE) ? .rising : .falling,
                           timestamp: Int64(event.ts.tv_sec) * 1_000_000_000 + Int64(event.ts.tv_nsec)))
        }
    }
}

final class LibgpiodOutput: GPIOOutput {
    private let line: OpaquePointer
    init(line: OpaquePointer) { self.line = line }
    deinit { gpiod_line_release(line) }

    func set(_ value: Bool) throws(GPIOError) {
        guard gpiod_line_set_value(line, value ? 1 : 0) == 0 else {
            throw .system(SystemError(operation: "set a GPIO line", errno: errno))
        }
    }
}
