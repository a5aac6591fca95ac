import CModbus
import RealModule
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// The simulated twin of a profile's devices, on libmodbus's server side: Modbus TCP (several
/// clients at once, one poll loop) or RTU on a serial port or pseudo-terminal. It serves the
/// points' generators (scaled back to raw registers in the point's type and order), keeps what
/// clients write to writable points, answers exception 2 on every address no point declares,
/// and injects faults on request.
public final class ModbusSimulator: @unchecked Sendable {
    /// Faults to inject; they can be changed while the simulator runs.
    public struct Faults: Sendable, Equatable {
        /// Seconds before each reply.
        public var responseDelay = 0.0
        /// Answer this exception to requests that touch the range.
        public var exceptions: [ExceptionRule] = []
        /// Drop every Nth reply (0: none).
        public var dropEvery = 0
        /// Answer every Nth request with another unit id in the reply (0: never).
        public var wrongUnitEvery = 0
        /// Close a TCP connection after this many requests on it (0: never).
        public var disconnectAfter = 0
        /// Units that never answer (a dead slave).
        public var silentUnits: Set<Int> = []
        /// Answer the next N requests with exception 6, server device busy.
        public var busyReplies = 0
        /// Hold each RTU reply for the time the request and the reply take on the wire at this baud.
        public var lineBaud: Int?

        public init() {}
    }

    /// Exception `code` for requests to `table` that touch `range` (any unit when `unit` is nil).
    public struct ExceptionRule: Sendable, Equatable {
        public var unit: Int?
        public var table: ModbusTable
        public var range: Range<Int>
        public var code: ModbusException

        public init(unit: Int? = nil, table: ModbusTable, range: Range<Int>, code: ModbusException) {
            self.unit = unit
            self.table = table
            self.range = range
            self.code = code
        }
    }

    /// What happened so far.
    public struct Counters: Sendable, Equatable {
        public var requests = 0
        public var replies = 0
        public var exceptions = 0
        public var dropped = 0
        public var connections = 0
    }

    public let profile: ModbusProfile
    private let faultState: NIOLockedValueBox<Faults>
    /// Bumped on every change of the faults, so that the serving loop copies them only then.
    private let faultGeneration = Atomic(0)
    private var cachedFaults = Faults()
    private var cachedGeneration = -1
    private let requestCount = Atomic(0), replyCount = Atomic(0), exceptionCount = Atomic(0), droppedCount = Atomic(0),
                connectionCount = Atomic(0)
    private let clock: @Sendable () -> Double
    private let start: Double
    private var context: OpaquePointer?
    private var listener: Int32 = -1
    private var isRTU = false
    private var clients: [(descriptor: Int32, requests: Int)] = []
    /// By unit id (0-255).
    private var units = [SimulatedUnit?](repeating: nil, count: 256)
    private var noise = NoiseSource(seed: 7)

    public var faults: Faults {
        get { faultState.withLockedValue { $0 } }
        set {
            faultState.withLockedValue { $0 = newValue }
            faultGeneration.add(1, ordering: .releasing)
        }
    }

    public var counters: Counters {
        Counters(requests: requestCount.load(ordering: .relaxed), replies: replyCount.load(ordering: .relaxed),
                 exceptions: exceptionCount.load(ordering: .relaxed), dropped: droppedCount.load(ordering: .relaxed),
                 connections: connectionCount.load(ordering: .relaxed))
    }

    /// A simulator for `profile`'s units; `clock` gives seconds for the generators.
    public init(profile: ModbusProfile, faults: Faults = Faults(), clock: @escaping @Sendable () -> Double = monotonicSeconds) {
        self.profile = profile
        faultState = NIOLockedValueBox(faults)
        self.clock = clock
        start = clock()
        for unit in profile.units {
            let simulated = SimulatedUnit(unit)
            simulated.initialize(noise: &noise)
            units[unit.id] = simulated
        }
    }

    deinit {
        closeConnections()
        if let context {
            if isRTU { modbus_close(context) }   // the port (TCP sockets are closed above)
            modbus_free(context)
        }
        for unit in units { unit?.free() }
    }

    /// Closes the listening socket and every client connection (TCP).
    private func closeConnections() {
        for client in clients { close(client.descriptor) }
        clients = []
        if listener >= 0 { close(listener) }
        listener = -1
    }

    /// Listens for Modbus TCP on `host`:`port` (0: a free port); returns the port.
    @discardableResult
    public func listen(host: String, port: Int) throws(ModbusError) -> Int {
        guard let created = modbus_new_tcp(host, Int32(port)) else { throw .invalidRequest("cannot create a Modbus TCP server for \(host):\(port)") }
        context = created
        listener = modbus_tcp_listen(created, 16)
        guard listener >= 0 else { throw .connection("listen on \(host):\(port): \(String(cString: modbus_strerror(errno)))") }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Serves Modbus RTU on a serial device or pseudo-terminal.
    public func serveRTU(device: String, settings: SerialSettings) throws(ModbusError) {
        let parity: CChar = switch settings.parity {
        case .none: CChar(UInt8(ascii: "N"))
        case .even: CChar(UInt8(ascii: "E"))
        case .odd: CChar(UInt8(ascii: "O"))
        }
        guard let created = modbus_new_rtu(device, Int32(settings.baud), parity, Int32(settings.dataBits), Int32(settings.stopBits)) else {
            throw .invalidRequest("cannot create a Modbus RTU server on \(device)")
        }
        context = created
        isRTU = true
        guard modbus_connect(created) == 0 else { throw .connection("\(device): \(String(cString: modbus_strerror(errno)))") }
    }

    /// Serves until `shouldStop` says so (checked every 50 ms); then closes its TCP sockets, as a
    /// device that goes away does.
    public func run(shouldStop: () -> Bool) {
        guard let context else { return }
        defer { closeConnections() }
        var query = [UInt8](repeating: 0, count: Int(MODBUS_TCP_MAX_ADU_LENGTH))
        if isRTU {
            let port = modbus_get_socket(context)
            while !shouldStop() {
                var ready = pollfd(fd: port, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 50) > 0 else { continue }
                if let length = readRTUFrame(port, into: &query) { handle(&query, length: length, context: context) }
            }
            return
        }
        // The listener first, then the clients; rebuilt only when a connection comes or goes.
        var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        while !shouldStop() {
            guard poll(&descriptors, nfds_t(descriptors.count), 50) > 0 else { continue }
            var changed = false
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                var server = listener
                let client = modbus_tcp_accept(context, &server)
                if client >= 0 {
                    clients.append((client, 0))
                    connectionCount.add(1, ordering: .relaxed)
                    changed = true
                }
            }
            for index in descriptors.indices.dropFirst() where descriptors[index].revents != 0 {
                let client = index - 1
                modbus_set_socket(context, descriptors[index].fd)
                let length = query.withUnsafeMutableBufferPointer { modbus_receive(context, $0.baseAddress!) }
                if length > 0 {
                    handle(&query, length: Int(length), context: context)
                    clients[client].requests += 1
                }
                let limit = cachedFaults.disconnectAfter
                if length <= 0 || (limit > 0 && clients[client].requests >= limit) {
                    close(clients[client].descriptor)
                    clients[client].descriptor = -1
                    changed = true
                }
            }
            if changed {
                clients.removeAll { $0.descriptor < 0 }
                descriptors = [descriptors[0]] + clients.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            }
        }
    }

    /// The current engineering value of a point (what a client wrote, or the generator's).
    public func value(of name: String) -> Double? {
        guard let (unit, point) = profile.point(named: name) else { return nil }
        return units[unit.id]?.engineeringValue(point)
    }

    /// One request: the faults, the declared-address check, then libmodbus's reply.
    private func handle(_ query: inout [UInt8], length: Int, context: OpaquePointer) {
        let header = Int(modbus_get_header_length(context))
        let unitID = Int(query[header - 1])
        let generation = faultGeneration.load(ordering: .acquiring)
        if generation != cachedGeneration {
            cachedFaults = faultState.withLockedValue { $0 }
            cachedGeneration = generation
        }
        if cachedFaults.busyReplies > 0 {
            // Uses up one busy reply: through the setter, so that every copy sees it.
            var fewer = faultState.withLockedValue { $0 }
            fewer.busyReplies -= 1
            self.faults = fewer
        }
        let count = requestCount.add(1, ordering: .relaxed).newValue
        let faults = cachedFaults   // as they were when this request came
        guard !faults.silentUnits.contains(unitID) else { return }
        guard let unit = units[unitID] else {
            // A TCP gateway says the target did not answer; an RTU device that is not there is silent.
            if !isRTU { reply(exception: .gatewayTargetFailedToRespond, query, context) }
            return
        }
        if faults.dropEvery > 0 && count % faults.dropEvery == 0 {
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        if faults.responseDelay > 0 { usleep(useconds_t(faults.responseDelay * 1e6)) }
        if let baud = faults.lineBaud { usleep(useconds_t(Double(length + expectedReplyLength(query, header: header)) * 11 / Double(baud) * 1e6)) }
        if faults.busyReplies > 0 { return reply(exception: .serverDeviceBusy, query, context) }
        guard let access = Access(query, header: header) else { return reply(exception: .illegalFunction, query, context) }
        for part in [access.write, access.read] {
            guard let (table, range, write) = part else { continue }
            if let rule = faults.exceptions.first(where: { ($0.unit == nil || $0.unit == unitID) && $0.table == table && $0.range.overlaps(range) }) {
                return reply(exception: rule.code, query, context)
            }
            guard unit.declares(table, range, forWriting: write) else { return reply(exception: .illegalDataAddress, query, context) }
        }
        if let read = access.read, unit.varies(read.table) { unit.refresh(at: clock() - start, noise: &noise, table: read.table, range: read.range) }
        if faults.wrongUnitEvery > 0 && count % faults.wrongUnitEvery == 0 { query[header - 1] = UInt8((unitID % 247) + 1) }
        let sent = query.withUnsafeBufferPointer { modbus_reply(context, $0.baseAddress!, Int32(length), unit.mapping) }
        if sent > 0 { replyCount.add(1, ordering: .relaxed) }
    }

    private func reply(exception: ModbusException, _ query: [UInt8], _ context: OpaquePointer) {
        _ = query.withUnsafeBufferPointer { modbus_reply_exception(context, $0.baseAddress!, UInt32(exception.rawValue)) }
        replyCount.add(1, ordering: .relaxed)
        exceptionCount.add(1, ordering: .relaxed)
    }

    /// Reads one RTU request frame; its length follows from the function code (as libmodbus does).
    private func readRTUFrame(_ descriptor: Int32, into buffer: inout [UInt8]) -> Int? {
        func fill(_ from: Int, _ to: Int) -> Bool {
            var have = from
            while have < to {
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 100) > 0 else { return false }   // a gap: the frame was cut short
                let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + have, to - have) }
                guard got > 0 else { return false }
                have += got
            }
            return true
        }
        guard fill(0, 2) else { return nil }
        let fixed: Int
        switch buffer[1] {
        case 1, 2, 3, 4, 5, 6: fixed = 8
        case 15, 16:
            guard fill(2, 7) else { return nil }
            return fill(7, 9 + Int(buffer[6])) ? 9 + Int(buffer[6]) : nil
        case 23:
            guard fill(2, 11) else { return nil }
            return fill(11, 13 + Int(buffer[10])) ? 13 + Int(buffer[10]) : nil
        default:
            // Unknown function: drain what is there and wait for the next frame.
            _ = fill(2, 64)
            return nil
        }
        return fill(2, fixed) ? fixed : nil
    }

    private func expectedReplyLength(_ query: [UInt8], header: Int) -> Int {
        let count = Int(query[header + 3]) << 8 | Int(query[header + 4])
        switch query[header] {
        case 1, 2: return 5 + (count + 7) / 8
        case 3, 4: return 5 + 2 * count
        default: return 8
        }
    }
}

/// The table and range a request reads and the one it writes (function 23 does both).
private struct Access {
    var read: (table: ModbusTable, range: Range<Int>, write: Bool)?
    var write: (table: ModbusTable, range: Range<Int>, write: Bool)?

    init?(_ query: [UInt8], header: Int) {
        func word(_ at: Int) -> Int { Int(query[header + at]) << 8 | Int(query[header + at + 1]) }
        let address = word(1)
        switch query[header] {
        case 1: read = (.coil, address..<(address + word(3)), false)
        case 2: read = (.discrete, address..<(address + word(3)), false)
        case 3: read = (.holding, address..<(address + word(3)), false)
        case 4: read = (.input, address..<(address + word(3)), false)
        case 5: write = (.coil, address..<(address + 1), true)
        case 6: write = (.holding, address..<(address + 1), true)
        case 15: write = (.coil, address..<(address + word(3)), true)
        case 16: write = (.holding, address..<(address + word(3)), true)
        case 23:
            write = (.holding, word(5)..<(word(5) + word(7)), true)
            read = (.holding, address..<(address + word(3)), false)
        default: return nil
        }
    }
}

/// One simulated device: its libmodbus mapping (writable points keep what clients write; the
/// generators drive the others), and which addresses its points declare.
private final class SimulatedUnit {
    let unit: ModbusUnit
    let mapping: UnsafeMutablePointer<modbus_mapping_t>
    private var declared: [ModbusTable: AddressSet] = [:]
    private var writable: [ModbusTable: AddressSet] = [:]
    /// Per table, the points whose value changes over time (not constant, not writable).
    private var varying: [ModbusTable: [Int]] = [:]

    init(_ unit: ModbusUnit) {
        self.unit = unit
        func size(_ table: ModbusTable) -> Int32 { Int32(unit.points.filter { $0.table == table }.map(\.span.upperBound).max() ?? 0) }
        mapping = modbus_mapping_new(size(.coil), size(.discrete), size(.holding), size(.input))
        for (index, point) in unit.points.enumerated() {
            declared[point.table, default: AddressSet()].insert(point.span)
            if point.writable { writable[point.table, default: AddressSet()].insert(point.span) }
            switch point.generator {
            case .constant?, .text?, nil: break
            default: if !point.writable { varying[point.table, default: []].append(index) }
            }
        }
    }

    func free() { modbus_mapping_free(mapping) }

    /// Whether any point of `table` changes over time.
    func varies(_ table: ModbusTable) -> Bool { varying[table] != nil }

    func declares(_ table: ModbusTable, _ range: Range<Int>, forWriting: Bool) -> Bool {
        (forWriting ? writable : declared)[table]?.contains(range) ?? false
    }

    /// Every point's first value, writable and constant ones included.
    func initialize(noise: inout NoiseSource) {
        for point in unit.points { refresh(point, at: 0, noise: &noise) }
    }

    /// Puts the generators' values at `seconds` into the registers a read touches (points that
    /// are constant, or writable, keep theirs).
    func refresh(at seconds: Double, noise: inout NoiseSource, table: ModbusTable, range: Range<Int>) {
        guard let indices = varying[table] else { return }
        for index in indices where unit.points[index].span.overlaps(range) { refresh(unit.points[index], at: seconds, noise: &noise) }
    }

    private func refresh(_ point: ModbusPoint, at seconds: Double, noise: inout NoiseSource) {
        guard let generator = point.generator else { return }
        let engineering: Double
        switch generator {
        case .constant(let value): engineering = value
        case .text(let text):
            var bytes = Array(text.utf8.prefix(point.count * 2))
            bytes += Array(repeating: 0, count: point.count * 2 - bytes.count)
            for index in 0..<point.count { mapping.pointee.tab_registers[point.address + index] = UInt16(bytes[2 * index]) << 8 | UInt16(bytes[2 * index + 1]) }
            return
        case .ramp(let from, let to, let period): engineering = from + (to - from) * (seconds.truncatingRemainder(dividingBy: period) / period)
        case .sine(let mean, let amplitude, let period): engineering = mean + amplitude * Double.sin(2 * .pi * seconds / period)
        case .noise(let mean, let sigma): engineering = mean + sigma * noise.gaussian()
        case .replay(let values, let interval): engineering = values[Int(seconds / interval) % values.count]
        case .extremes(let interval):
            let step = Int(seconds / interval)
            let patterns = point.type.map(ModbusValue.extremes(of:)) ?? []
            guard !patterns.isEmpty, let table = registers(point.table) else {
                store(point, raw: Double(step % 2))
                return
            }
            for (index, word) in point.order.registers(patterns[step % patterns.count]).enumerated() { table[point.address + index] = word }
            return
        }
        store(point, raw: (engineering - point.offset) / point.scale)
    }

    private func store(_ point: ModbusPoint, raw: Double) {
        switch point.table {
        case .coil: mapping.pointee.tab_bits[point.address] = raw != 0 ? 1 : 0
        case .discrete: mapping.pointee.tab_input_bits[point.address] = raw != 0 ? 1 : 0
        case .holding, .input:
            guard let table = registers(point.table), let type = point.type else { return }
            if case .bit(let n) = type {
                let mask = UInt16(1) << UInt16(n)
                table[point.address] = raw != 0 ? table[point.address] | mask : table[point.address] & ~mask
                return
            }
            let clamped = type == .float32 || type == .float64 ? raw : raw.rounded()
            guard let words = ModbusValue.encode(clamped, as: type, order: point.order) else { return }
            for (index, word) in words.enumerated() { table[point.address + index] = word }
        }
    }

    /// The holding or input registers; nil for the bit tables.
    private func registers(_ table: ModbusTable) -> UnsafeMutablePointer<UInt16>? {
        switch table {
        case .holding: mapping.pointee.tab_registers
        case .input: mapping.pointee.tab_input_registers
        case .coil, .discrete: nil
        }
    }

    func engineeringValue(_ point: ModbusPoint) -> Double? {
        switch point.table {
        case .coil: return Double(mapping.pointee.tab_bits[point.address])
        case .discrete: return Double(mapping.pointee.tab_input_bits[point.address])
        case .holding, .input:
            guard let table = registers(point.table), let type = point.type else { return nil }
            let words = (0..<point.count).map { table[point.address + $0] }
            return ModbusValue.decode(words[...], as: type, order: point.order).doubleValue.map { $0 * point.scale + point.offset }
        }
    }
}

/// Deterministic Gaussian noise (an LCG through Box-Muller) for the simulated devices.
struct NoiseSource {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 2862933555777941757 &+ 3037000493 }

    mutating func gaussian() -> Double {
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return (-2 * Double.log(uniform())).squareRoot() * Double.cos(2 * .pi * uniform())
    }
}

/// Addresses 0-65535 as a bit set.
private struct AddressSet {
    private var words = [UInt64](repeating: 0, count: 1024)

    mutating func insert(_ range: Range<Int>) {
        for address in range { words[address >> 6] |= 1 << UInt64(address & 63) }
    }

    func contains(_ range: Range<Int>) -> Bool {
        range.allSatisfy { $0 < 65_536 && words[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }
}
