import RealModule

/// The simulated twin of a BeiDou + GPS receiver: the NMEA 0183 (4.11) a rover would send while
/// driving through waypoints, with receiver noise. Deterministic: the same settings give the same
/// bytes. Used by the demo, by tests and by `edge-node simulate`.
public struct SimulatedGNSSReceiver: Sendable {
    /// How the receiver solves its position.
    public enum Mode: Int, Sendable {
        /// GGA quality 1, FAA mode A.
        case autonomous = 1
        /// GGA quality 2, FAA mode D.
        case differential = 2
        /// GGA quality 4, FAA mode R.
        case rtkFixed = 4
        /// GGA quality 5, FAA mode F.
        case rtkFloat = 5

        var faaMode: String { [1: "A", 2: "D", 4: "R", 5: "F"][rawValue]! }
        var hdop: Double { self == .autonomous ? 1.2 : 0.7 }
    }

    /// Speed over ground, m/s.
    public var speed = 2.0
    /// Fixes per second.
    public var rate = 1.0
    /// Seconds stopped at each waypoint.
    public var pause = 12.0
    public var mode = Mode.rtkFixed
    /// 1-sigma horizontal noise, metres (a first-order Gauss-Markov process, 20 s time constant).
    public var noise = 0.0
    public var seed: UInt64 = 1
    /// UTC start: date and seconds of the day.
    public var year = 2026, month = 11, day = 29
    public var startSecondOfDay = 2 * 3600.0

    public init() {}

    /// The NMEA text of a drive through `waypoints` (latitude, longitude in degrees).
    public func drive(through waypoints: [(latitude: Double, longitude: Double)]) -> String {
        var positions: [(Double, Double)] = []
        let stepMetres = speed / rate
        for (index, stop) in waypoints.enumerated() {
            for _ in 0..<Int(pause * rate) { positions.append(stop) }
            guard index + 1 < waypoints.count else { break }
            let next = waypoints[index + 1]
            let metresPerDegreeLongitude = 111_320 * Double.cos(stop.latitude * .pi / 180)
            let north = (next.latitude - stop.latitude) * 110_750, east = (next.longitude - stop.longitude) * metresPerDegreeLongitude
            let steps = max(1, Int((north * north + east * east).squareRoot() / stepMetres))
            for step in 1..<steps {
                let t = Double(step) / Double(steps)
                positions.append((stop.latitude + t * (next.latitude - stop.latitude), stop.longitude + t * (next.longitude - stop.longitude)))
            }
        }
        var state = seed &* 2862933555777941757 &+ 3037000493
        func gaussian() -> Double {
            func uniform() -> Double {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return (Double(state >> 11) + 0.5) / Double(1 << 53)
            }
            return (-2 * Double.log(uniform())).squareRoot() * Double.cos(2 * .pi * uniform())
        }
        let phi = Double.exp(-1 / (20 * rate))
        var errorNorth = noise * gaussian(), errorEast = noise * gaussian()
        var text = ""
        text.reserveCapacity(positions.count * 160)
        for (index, position) in positions.enumerated() {
            let scale = noise * (1 - phi * phi).squareRoot()
            errorNorth = phi * errorNorth + scale * gaussian()
            errorEast = phi * errorEast + scale * gaussian()
            let latitude = position.0 + errorNorth / 110_750
            let longitude = position.1 + errorEast / (111_320 * Double.cos(position.0 * .pi / 180))
            let seconds = startSecondOfDay + Double(index) / rate
            let time = "\(digits(Int(seconds) / 3600 % 24, 2))\(digits(Int(seconds) / 60 % 60, 2))\(fixed(seconds.truncatingRemainder(dividingBy: 60), 2, width: 5))"
            let lat = "\(coordinate(latitude, degreeDigits: 2)),\(latitude >= 0 ? "N" : "S")"
            let lon = "\(coordinate(longitude, degreeDigits: 3)),\(longitude >= 0 ? "E" : "W")"
            let age = mode == .autonomous ? "," : "1.0,0001"
            text += sentence("GNGGA,\(time),\(lat),\(lon),\(mode.rawValue),24,\(fixed(mode.hdop, 1)),12.0,M,-3.1,M,\(age)")
            text += sentence("GNRMC,\(time),A,\(lat),\(lon),\(fixed(speed / 0.514444, 1)),,\(digits(day, 2))\(digits(month, 2))\(digits(year % 100, 2)),,,\(mode.faaMode),V")
        }
        return text
    }

    private func sentence(_ body: String) -> String {
        var sum: UInt8 = 0
        for byte in body.utf8 { sum ^= byte }
        let hex = Array("0123456789ABCDEF")
        return "$\(body)*\(hex[Int(sum >> 4)])\(hex[Int(sum & 15)])\r\n"
    }

    /// ddmm.mmmmmmmm (or dddmm...) for a coordinate in degrees.
    private func coordinate(_ degrees: Double, degreeDigits: Int) -> String {
        let value = degrees.magnitude
        let whole = Int(value)
        return digits(whole, degreeDigits) + fixed((value - Double(whole)) * 60, 8, width: 11)
    }

    private func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }

    /// `value` with `decimals` decimals, zero-padded to `width` characters.
    private func fixed(_ value: Double, _ decimals: Int, width: Int = 0) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale), fraction = scaled % Int(scale)
        let text = decimals > 0 ? "\(whole).\(digits(fraction, decimals))" : "\(whole)"
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
