/// Vibration severity zones of ISO 10816 / ISO 20816 (broadband velocity RMS, 10-1000 Hz).
public enum SeverityZone: String, Sendable, CaseIterable, Comparable {
    /// Newly commissioned machines.
    case a = "A"
    /// Acceptable for unrestricted long-term operation.
    case b = "B"
    /// Unsatisfactory for long-term operation: plan maintenance.
    case c = "C"
    /// Severe enough to cause damage.
    case d = "D"

    public static func < (lhs: SeverityZone, rhs: SeverityZone) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the zone means, in the standard's words (abridged).
    public var meaning: String {
        switch self {
        case .a: "newly commissioned condition"
        case .b: "acceptable for unrestricted long-term operation"
        case .c: "unsatisfactory for long-term continuous operation; plan remedial action"
        case .d: "severe enough to cause damage"
        }
    }
}

/// Zone boundaries for one class of machine: velocity RMS in mm/s at the A/B, B/C and C/D borders.
public struct SeverityCriteria: Sendable, Equatable {
    public var boundaryAB: Double
    public var boundaryBC: Double
    public var boundaryCD: Double
    /// The standard and table the boundaries come from.
    public var source: String

    /// The zone of a broadband velocity RMS (mm/s); a value on a boundary belongs to the upper zone.
    public func zone(velocityRMS millimetresPerSecond: Double) -> SeverityZone {
        switch millimetresPerSecond {
        case ..<boundaryAB: .a
        case ..<boundaryBC: .b
        case ..<boundaryCD: .c
        default: .d
        }
    }

    /// ISO 10816-3 machine groups (industrial machines above 15 kW, 120-15,000 r/min).
    public enum MachineGroup: Int, Sendable, CaseIterable {
        /// Large machines, 300 kW to 50 MW; electrical machines with shaft height 315 mm or more.
        case one = 1
        /// Medium machines, 15 kW to 300 kW; electrical machines with shaft height 160-315 mm.
        case two = 2
    }

    /// How the machine is supported: rigid when the lowest natural frequency of machine and
    /// support is at least 25 % above the main excitation frequency, else flexible.
    public enum Support: String, Sendable, CaseIterable {
        case rigid
        case flexible
    }

    /// ISO 10816-1 (1995) Annex B machine classes, for machines outside the scope of part 3.
    public enum MachineClass: Int, Sendable, CaseIterable {
        /// Small machines, up to 15 kW.
        case one = 1
        /// Medium machines, 15-75 kW without special foundations, or up to 300 kW on special foundations.
        case two = 2
        /// Large prime movers on rigid, heavy foundations.
        case three = 3
        /// Large prime movers on soft foundations.
        case four = 4
    }

    /// ISO 10816-3:2009, Annex A, Tables A.1 (group 1) and A.2 (group 2), velocity RMS; the same
    /// values are kept in ISO 20816-3:2022, Annex A, for broadband velocity on bearing housings.
    public static func iso10816part3(group: MachineGroup, support: Support) -> SeverityCriteria {
        let source = "ISO 10816-3:2009 Table A.\(group.rawValue) (= ISO 20816-3:2022 Annex A), group \(group.rawValue), \(support.rawValue) support"
        switch (group, support) {
        case (.one, .rigid): return SeverityCriteria(boundaryAB: 2.3, boundaryBC: 4.5, boundaryCD: 7.1, source: source)
        case (.one, .flexible): return SeverityCriteria(boundaryAB: 3.5, boundaryBC: 7.1, boundaryCD: 11.0, source: source)
        case (.two, .rigid): return SeverityCriteria(boundaryAB: 1.4, boundaryBC: 2.8, boundaryCD: 4.5, source: source)
        case (.two, .flexible): return SeverityCriteria(boundaryAB: 2.3, boundaryBC: 4.5, boundaryCD: 7.1, source: source)
        }
    }

    /// ISO 10816-1:1995, Annex B, Table B.1 (typical zone boundaries), velocity RMS.
    public static func iso10816part1(machineClass: MachineClass) -> SeverityCriteria {
        let source = "ISO 10816-1:1995 Table B.1, class \(["I", "II", "III", "IV"][machineClass.rawValue - 1])"
        switch machineClass {
        case .one: return SeverityCriteria(boundaryAB: 0.71, boundaryBC: 1.8, boundaryCD: 4.5, source: source)
        case .two: return SeverityCriteria(boundaryAB: 1.12, boundaryBC: 2.8, boundaryCD: 7.1, source: source)
        case .three: return SeverityCriteria(boundaryAB: 1.8, boundaryBC: 4.5, boundaryCD: 11.2, source: source)
        case .four: return SeverityCriteria(boundaryAB: 2.8, boundaryBC: 7.1, boundaryCD: 18.0, source: source)
        }
    }
}
