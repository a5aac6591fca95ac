/// A Modbus data table.
public enum ModbusTable: String, CaseIterable, Sendable {
    case coil, discrete, input, holding

    /// Coils and discrete inputs hold bits; input and holding registers 16-bit words.
    public var isBits: Bool { self == .coil || self == .discrete }
    /// Coils and holding registers can be written.
    public var isWritable: Bool { self == .coil || self == .holding }
    /// The most a single read may cover (Modbus application protocol, section 6).
    public var maximumReadCount: Int { isBits ? 2000 : 125 }
}

/// How a simulated point's engineering value changes over time (seconds since the simulator started).
public enum ModbusGenerator: Sendable, Equatable {
    case constant(Double)
    /// For string points.
    case text(String)
    /// From `from` to `to` over `period` seconds, then again.
    case ramp(from: Double, to: Double, period: Double)
    case sine(mean: Double, amplitude: Double, period: Double)
    /// Gaussian noise around `mean`.
    case noise(mean: Double, sigma: Double)
    /// A recorded series, one value per `interval` seconds, looped.
    case replay(values: [Double], interval: Double)
    /// The edges of the point's type, one per `interval` seconds, looped, written as raw registers
    /// (scale and offset not applied): see ``ModbusValue/extremes(of:)``. For chaos tests.
    case extremes(interval: Double)
}

/// One named value on a device.
public struct ModbusPoint: Sendable, Equatable {
    public var name: String
    public var table: ModbusTable
    /// The 0-based protocol address (the profile's addressing convention already applied).
    public var address: Int
    /// nil for coils and discrete inputs (a bool).
    public var type: ModbusValueType?
    public var order: WordOrder
    /// Engineering value = raw x scale + offset.
    public var scale: Double
    public var offset: Double
    /// The engineering unit ("kW", "mm/s").
    public var unit: String?
    public var writable: Bool
    public var group: String
    /// A new value is reported only when it moved more than this since the last reported one.
    public var deadband: Double?
    /// A raw value the device sends for "no valid reading" (e.g. 0x8000 or -32768).
    public var invalid: Double?
    /// What the simulator serves.
    public var generator: ModbusGenerator?

    public init(name: String, table: ModbusTable, address: Int, type: ModbusValueType? = nil, order: WordOrder = .abcd,
                scale: Double = 1, offset: Double = 0, unit: String? = nil, writable: Bool = false, group: String = "default",
                deadband: Double? = nil, invalid: Double? = nil, generator: ModbusGenerator? = nil) {
        self.name = name
        self.table = table
        self.address = address
        self.type = type
        self.order = order
        self.scale = scale
        self.offset = offset
        self.unit = unit
        self.writable = writable
        self.group = group
        self.deadband = deadband
        self.invalid = invalid
        self.generator = generator
    }

    /// Registers (or bits) the point spans.
    public var count: Int { type?.registerCount ?? 1 }
    /// The addresses it spans.
    public var span: Range<Int> { address..<(address + count) }
}

/// A device on the bus, by unit id.
public struct ModbusUnit: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var points: [ModbusPoint]
    /// Address ranges per table that a merged read must never cover (the device answers
    /// exception 2 there).
    public var holes: [(table: ModbusTable, range: Range<Int>)]

    public init(id: Int, name: String, points: [ModbusPoint], holes: [(table: ModbusTable, range: Range<Int>)] = []) {
        self.id = id
        self.name = name
        self.points = points
        self.holes = holes
    }

    public static func == (lhs: ModbusUnit, rhs: ModbusUnit) -> Bool {
        lhs.id == rhs.id && lhs.name == rhs.name && lhs.points == rhs.points
            && lhs.holes.map(\.table) == rhs.holes.map(\.table) && lhs.holes.map(\.range) == rhs.holes.map(\.range)
    }
}

/// A poll group: its points are read every `period` seconds, the first time after `stagger`.
public struct ModbusPollGroup: Sendable, Equatable {
    public var name: String
    public var period: Double
    public var stagger: Double

    public init(name: String, period: Double, stagger: Double = 0) {
        self.name = name
        self.period = period
        self.stagger = stagger
    }
}

/// A bus and the devices on it, as a device profile in `devices/` describes them.
public struct ModbusProfile: Sendable, Equatable {
    public var name: String
    public var transport: ModbusTransport
    /// Per request.
    public var timeout: Double
    /// Retries of a timed-out request while its unit is healthy.
    public var retries: Int
    /// Pause between two requests on the bus, seconds (slow RTU devices need it).
    public var interRequestDelay: Double
    /// Registers (or bits) a merged read may cover without a point in them.
    public var maximumGap: Int
    public var groups: [ModbusPollGroup]
    public var units: [ModbusUnit]

    public init(name: String, transport: ModbusTransport, timeout: Double = 0.5, retries: Int = 1, interRequestDelay: Double = 0,
                maximumGap: Int = 8, groups: [ModbusPollGroup] = [ModbusPollGroup(name: "default", period: 1)], units: [ModbusUnit]) {
        self.name = name
        self.transport = transport
        self.timeout = timeout
        self.retries = retries
        self.interRequestDelay = interRequestDelay
        self.maximumGap = maximumGap
        self.groups = groups
        self.units = units
    }

    /// Points on all units.
    public var pointCount: Int { units.reduce(0) { $0 + $1.points.count } }

    /// The point called `name` and its unit.
    public func point(named name: String) -> (unit: ModbusUnit, point: ModbusPoint)? {
        for unit in units { if let point = unit.points.first(where: { $0.name == name }) { return (unit, point) } }
        return nil
    }
}
