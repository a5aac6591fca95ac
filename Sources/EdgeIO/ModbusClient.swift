import CModbus
#if canImport(Glibc)
import Glibc
#endif

/// A Modbus exception code, under its name in the specification.
public enum ModbusException: Int, Sendable, Equatable, CustomStringConvertible {
    case illegalFunction = 1
    case illegalDataAddress = 2
    case illegalDataValue = 3
    case serverDeviceFailure = 4
    case acknowledge = 5
    case serverDeviceBusy = 6
    case negativeAcknowledge = 7
    case memoryParityError = 8
    case gatewayPathUnavailable = 10
    case gatewayTargetFailedToRespond = 11

    public var description: String {
        switch self {
        case .illegalFunction: "exception 1, illegal function (the device does not support this request)"
        case .illegalDataAddress: "exception 2, illegal data address (no such register or coil, or the range runs past the end)"
        case .illegalDataValue: "exception 3, illegal data value"
        case .serverDeviceFailure: "exception 4, server device failure"
        case .acknowledge: "exception 5, acknowledge (accepted, still working: ask again later)"
        case .serverDeviceBusy: "exception 6, server device busy (ask again later)"
        case .negativeAcknowledge: "exception 7, negative acknowledge"
        case .memoryParityError: "exception 8, memory parity error"
        case .gatewayPathUnavailable: "exception 10, gateway path unavailable"
        case .gatewayTargetFailedToRespond: "exception 11, gateway target device failed to respond"
        }
    }
}

/// Why a Modbus request failed.
public enum ModbusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The device answered with an exception.
    case exception(ModbusException)
    /// No answer within the timeout (the late reply, if any, is flushed).
    case timeout
    /// The connection failed or broke.
    case connection(String)
    /// A reply that does not fit the request (bad CRC, wrong unit, wrong length).
    case invalidResponse(String)
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .exception(let exception): exception.description
        case .timeout: "no response within the timeout"
        case .connection(let reason): "connection: \(reason)"
        case .invalidResponse(let reason): "invalid response: \(reason)"
        case .invalidRequest(let reason): reason
        }
    }
}

/// Where a Modbus device is.
public enum ModbusTransport: Sendable, Equatable {
    case tcp(host: String, port: Int)
    case rtu(device: String, settings: SerialSettings)
}

/// A Modbus client over libmodbus, TCP or RTU: function codes 1-6, 15, 16 and 23, the unit id
/// per request, sub-second timeouts, typed errors with the exception names, and stale frames
/// flushed after a timeout so that a late reply is never taken for the next request's answer.
/// Reconnecting is the caller's (``reconnect()``), not libmodbus's blocking link recovery.
public final class ModbusClient {
    public let transport: ModbusTransport
    private let context: OpaquePointer
    /// The last request timed out or got a reply that was not its own: its real reply may still
    /// arrive, so the next request flushes first.
    private var mayHaveStaleReply = false

    /// Creates a client and connects.
    public init(_ transport: ModbusTransport, timeout: Duration = .milliseconds(500)) throws(ModbusError) {
        self.transport = transport
        let created: OpaquePointer?
        switch transport {
        case .tcp(let host, let port):
            created = modbus_new_tcp(host, Int32(port))
        case .rtu(let device, let settings):
            let parity: CChar = switch settings.parity {
            case .none: CChar(UInt8(ascii: "N"))
            case .even: CChar(UInt8(ascii: "E"))
            case .odd: CChar(UInt8(ascii: "O"))
            }
            created = modbus_new_rtu(device, Int32(settings.baud), parity, Int32(settings.dataBits), Int32(settings.stopBits))
        }
        guard let created else { throw .invalidRequest("cannot create a Modbus context for \(transport)") }
        let components = timeout.components
        let microseconds = components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
        modbus_set_response_timeout(created, UInt32(microseconds / 1_000_000), UInt32(microseconds % 1_000_000))
        modbus_set_error_recovery(created, MODBUS_ERROR_RECOVERY_NONE)
        guard modbus_connect(created) == 0 else {
            let reason = String(cString: modbus_strerror(errno))
            modbus_free(created)
            throw .connection("\(transport.description): \(reason)")
        }
        // Only now: a class whose stored properties are all set runs deinit if init throws.
        context = created
    }

    deinit {
        modbus_close(context)
        modbus_free(context)
    }

    /// Closes and opens the connection again (after the device restarted).
    public func reconnect() throws(ModbusError) {
        modbus_close(context)
        guard modbus_connect(context) == 0 else { throw .connection("\(transport.description): \(String(cString: modbus_strerror(errno)))") }
    }

    public func readCoils(unit: Int, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try bits(unit, count) { modbus_read_bits(context, Int32(address), Int32(count), $0) }
    }

    public func readDiscreteInputs(unit: Int, address: Int, count: Int) throws(ModbusError) -> [Bool] {
        try bits(unit, count) { modbus_read_input_bits(context, Int32(address), Int32(count), $0) }
    }

    public func readHoldingRegisters(unit: Int, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try registers(unit, count) { modbus_read_registers(context, Int32(address), Int32(count), $0) }
    }

    public func readInputRegisters(unit: Int, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        try registers(unit, count) { modbus_read_input_registers(context, Int32(address), Int32(count), $0) }
    }

    /// Reads `count` entries of any table: registers as they are, bits as 0 or 1.
    public func read(_ table: ModbusTable, unit: Int, address: Int, count: Int) throws(ModbusError) -> [UInt16] {
        switch table {
        case .coil: try readCoils(unit: unit, address: address, count: count).map { $0 ? 1 : 0 }
        case .discrete: try readDiscreteInputs(unit: unit, address: address, count: count).map { $0 ? 1 : 0 }
        case .holding: try readHoldingRegisters(unit: unit, address: address, count: count)
        case .input: try readInputRegisters(unit: unit, address: address, count: count)
        }
    }

    /// Function 5.
    public func writeCoil(unit: Int, address: Int, value: Bool) throws(ModbusError) {
        try perform(unit) { modbus_write_bit(context, Int32(address), value ? 1 : 0) }
    }

    /// Function 6.
    public func writeRegister(unit: Int, address: Int, value: UInt16) throws(ModbusError) {
        try perform(unit) { modbus_write_register(context, Int32(address), value) }
    }

    /// Function 15.
    public func writeCoils(unit: Int, address: Int, values: [Bool]) throws(ModbusError) {
        var bytes = values.map { UInt8($0 ? 1 : 0) }
        try perform(unit) { modbus_write_bits(context, Int32(address), Int32(bytes.count), &bytes) }
    }

    /// Function 16.
    public func writeRegisters(unit: Int, address: Int, values: [UInt16]) throws(ModbusError) {
        var words = values
        try perform(unit) { modbus_write_registers(context, Int32(address), Int32(words.count), &words) }
    }

    /// Function 23: writes `values` at `writeAddress`, then reads `count` registers at `readAddress`.
    public func writeAndReadRegisters(unit: Int, writeAddress: Int, values: [UInt16], readAddress: Int,
                                      count: Int) throws(ModbusError) -> [UInt16] {
        var words = values
        return try registers(unit, count) {
            modbus_write_and_read_registers(context, Int32(writeAddress), Int32(words.count), &words, Int32(readAddress), Int32(count), $0)
        }
    }

    private func bits(_ unit: Int, _ count: Int, _ call: (UnsafeMutablePointer<UInt8>) -> Int32) throws(ModbusError) -> [Bool] {
        guard (1...2000).contains(count) else { throw .invalidRequest("a bit read covers 1 to 2000 bits, not \(count)") }
        var result = [UInt8](repeating: 0, count: count)
        try perform(unit) { result.withUnsafeMutableBufferPointer { call($0.baseAddress!) } }
        return result.map { $0 != 0 }
    }

    private func registers(_ unit: Int, _ count: Int, _ call: (UnsafeMutablePointer<UInt16>) -> Int32) throws(ModbusError) -> [UInt16] {
        guard (1...125).contains(count) else { throw .invalidRequest("a register read covers 1 to 125 registers, not \(count)") }
        var result = [UInt16](repeating: 0, count: count)
        try perform(unit) { result.withUnsafeMutableBufferPointer { call($0.baseAddress!) } }
        return result
    }

    /// The choke point: sets the unit, runs the call, turns -1 and errno into a ``ModbusError``.
    private func perform(_ unit: Int, _ call: () -> Int32) throws(ModbusError) {
        guard (0...247).contains(unit) || unit == 255 else { throw .invalidRequest("unit id \(unit) is outside 0-247 (and 255)") }
        modbus_set_slave(context, Int32(unit))
        if mayHaveStaleReply {
            modbus_flush(context)
            mayHaveStaleReply = false
        }
        guard call() == -1 else { return }
        let code = errno
        if code > MODBUS_ENOBASE, let exception = ModbusException(rawValue: Int(code) - Int(MODBUS_ENOBASE)), exception.rawValue <= 11 {
            throw .exception(exception)
        }
        switch code {
        case ETIMEDOUT:
            // A late reply must not answer the next request: flushed now and before the next one.
            modbus_flush(context)
            mayHaveStaleReply = true
            throw .timeout
        case ECONNRESET, ECONNREFUSED, EPIPE, EBADF, EIO, ENOTCONN:
            throw .connection("\(transport.description): \(String(cString: modbus_strerror(code)))")
        default:
            modbus_flush(context)
            mayHaveStaleReply = true
            throw .invalidResponse(String(cString: modbus_strerror(code)))
        }
    }
}

extension ModbusTransport: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tcp(let host, let port): "\(host):\(port)"
        case .rtu(let device, let settings): "\(device) \(settings.baud) \(settings.dataBits)\(settings.parity.rawValue)\(settings.stopBits)"
        }
    }
}
