import RealModule

/// The simulated twin of a multi-constellation (GPS, BeiDou, Galileo) receiver: the NMEA 0183 a
/// rover would send while driving through waypoints, one epoch (GGA, GSA per system, GSV per
/// system, RMC) per fix, with receiver noise and scripted events (RTK fixed <-> float, outages,
/// outlier fixes, HDOP and satellite drops). Deterministic: the same settings give the same bytes.
/// Used by the demo, by tests and by `edge-node simulate gnss`.
public struct SimulatedGNSSReceiver: Sendable {
    /// How the receiver solves its position.
    public enum Mode: Int, Sendable, CaseIterable {
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

    /// The NMEA edition the receiver speaks: 4.10 and later carry the system ID in GSA, the signal
    /// ID in GSV and the navigational status in RMC; older editions have none of them.
    public enum Edition: String, Sendable, CaseIterable {
        case v23 = "2.3", v40 = "4.0", v410 = "4.10", v411 = "4.11"

        var hasSystemIDs: Bool { self == .v410 || self == .v411 }
    }

    /// The talker BeiDou sentences use: `GB` (NMEA 4.10 and later) or `BD` (older receivers).
    public enum BeiDouTalker: String, Sendable, CaseIterable { case gb = "GB", bd = "BD" }

    /// Something that happens to the solution between two instants (seconds from the start).
    public struct Event: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// The solution changes mode (RTK fixed -> float, say).
            case mode(Mode)
            /// No fix at all: GGA quality 0, RMC status V, no satellites used.
            case outage
            /// The position jumps this many metres north-east.
            case outlier(metres: Double)
            /// The HDOP the receiver reports.
            case hdop(Double)
            /// Only this many satellites are used (the rest still seen).
            case satellites(Int)
        }

        public var start: Double
        public var end: Double
        public var kind: Kind

        public init(start: Double, end: Double, kind: Kind) {
            self.start = start
            self.end = end
            self.kind = kind
        }
    }

    /// Speed over ground, m/s.
    public var speed = 2.0
    /// Fixes per second.
    public var rate = 1.0
    /// Seconds stopped at each waypoint (0 for a dense track).
    public var pause = 12.0
    public var mode = Mode.rtkFixed
    public var edition = Edition.v411
    public var beidouTalker = BeiDouTalker.gb
    /// 1-sigma horizontal noise, metres (a first-order Gauss-Markov process, 20 s time constant).
    public var noise = 0.0
    public var events: [Event] = []
    public var seed: UInt64 = 1
    /// UTC start: date and seconds of the day.
    public var year = 2026, month = 11, day = 29
    public var startSecondOfDay = 2 * 3600.0

    public init() {}

    /// The NMEA text of a drive through `waypoints` (latitude, longitude in degrees).
    public func drive(through waypoints: [(latitude: Double, longitude: Double)]) -> String {
        epochs(through: waypoints).joined()
    }

    /// The drive as one text per epoch, for pacing them out in real time.
    public func epochs(through waypoints: [(latitude: Double, longitude: Double)]) -> [String] {
        var random = NoiseSource(seed: seed)
        let phi = Double.exp(-1 / (20 * rate))
        var errorNorth = noise * random.gaussian(), errorEast = noise * random.gaussian()
        return track(through: waypoints).enumerated().map { index, position in
            let elapsed = Double(index) / rate
            let scale = noise * (1 - phi * phi).squareRoot()
            errorNorth = phi * errorNorth + scale * random.gaussian()
            errorEast = phi * errorEast + scale * random.gaussian()
            var state = State(mode: mode, hdop: mode.hdop)
            for event in events where event.start <= elapsed && elapsed < event.end {
                switch event.kind {
                case .mode(let mode):
                    state.mode = mode
                    state.hdop = mode.hdop
                case .outage: state.outage = true
                case .outlier(let metres): state.offset = metres / 2.squareRoot()
                case .hdop(let hdop): state.hdop = hdop
                case .satellites(let count): state.usedLimit = count
                }
            }
            let north = errorNorth + state.offset, east = errorEast + state.offset
            return epoch(latitude: position.0 + north / 110_750,
                         longitude: position.1 + east / (111_320 * Double.cos(position.0 * .pi / 180)),
                         seconds: startSecondOfDay + elapsed, state: state, random: &random)
        }
    }

    /// The solution of one epoch after the events.
    private struct State {
        var mode: Mode
        var hdop: Double
        var outage = false
        var offset = 0.0
        var usedLimit = Int.max
    }

    /// The positions, one per epoch: stops at each waypoint for ``pause``, straight legs at ``speed``.
    private func track(through waypoints: [(latitude: Double, longitude: Double)]) -> [(Double, Double)] {
        var positions: [(Double, Double)] = []
        var carried = 0.0   // metres of the current step already driven on earlier legs
        let stepMetres = speed / rate
        for (index, stop) in waypoints.enumerated() {
            for _ in 0..<Int(pause * rate) { positions.append(stop) }
            if index == 0 && pause == 0 { positions.append(stop) }
            guard index + 1 < waypoints.count else { break }
            let next = waypoints[index + 1]
            let metresPerDegreeLongitude = 111_320 * Double.cos(stop.latitude * .pi / 180)
            let north = (next.latitude - stop.latitude) * 110_750, east = (next.longitude - stop.longitude) * metresPerDegreeLongitude
            let length = (north * north + east * east).squareRoot()
            var along = stepMetres - carried
            while along <= length {
                let t = along / length
                positions.append((stop.latitude + t * (next.latitude - stop.latitude), stop.longitude + t * (next.longitude - stop.longitude)))
                along += stepMetres
            }
            carried = length - (along - stepMetres)
            if pause > 0 { carried = 0 }
        }
        return positions
    }

    /// One simulated satellite: where it is and how strong, at `seconds` of the day.
    private struct Satellite {
        var system: Int          // NMEA 4.10 system ID: 1 GPS, 3 Galileo, 4 BeiDou
        var number: Int          // as the system numbers it
        var elevation: Int
        var azimuth: Int
        var snr: Int
    }

    /// The sky: 10 GPS, 10 BeiDou (C33+ included: gpsd misnumbers those) and 6 Galileo satellites,
    /// turning slowly; signal strength rises with elevation.
    private func sky(seconds: Double, random: inout NoiseSource) -> [Satellite] {
        let constellations = [(1, [3, 6, 11, 14, 17, 19, 22, 24, 28, 32]), (4, [6, 9, 14, 16, 21, 26, 33, 35, 39, 42]),
                              (3, [4, 11, 19, 27, 30, 33])]
        var satellites: [Satellite] = []
        for (system, numbers) in constellations {
            for number in numbers {
                let phase = Double((number * 37 + system * 101) % 360)
                let elevation = Int(10 + 75 * (0.5 + 0.5 * Double.sin((phase + seconds / 240) * .pi / 180)))
                let azimuth = Int(phase * 7 + seconds / 120) % 360
                let snr = min(52, 24 + elevation / 3 + Int(2 * random.gaussian()))
                satellites.append(Satellite(system: system, number: number, elevation: elevation, azimuth: azimuth, snr: snr))
            }
        }
        return satellites
    }

    private func epoch(latitude: Double, longitude: Double, seconds: Double, state: State, random: inout NoiseSource) -> String {
        let satellites = sky(seconds: seconds, random: &random)
        let usable = satellites.indices.filter { satellites[$0].elevation >= 15 }.sorted { satellites[$0].elevation > satellites[$1].elevation }
        let used = state.outage ? [] : Set(usable.prefix(state.usedLimit))
        let time = "\(digits(Int(seconds) / 3600 % 24, 2))\(digits(Int(seconds) / 60 % 60, 2))\(fixed(seconds.truncatingRemainder(dividingBy: 60), 2, width: 5))"
        let date = "\(digits(day, 2))\(digits(month, 2))\(digits(year % 100, 2))"
        // DOPs: empty without a fix, as receivers send them.
        let pdop = state.outage ? "" : fixed(state.hdop * 1.6, 1), vdop = state.outage ? "" : fixed(state.hdop * 1.3, 1)
        let hdop = state.outage ? "" : fixed(state.hdop, 1)
        var text = ""
        if state.outage {
            text += sentence("GNGGA,\(time),,,,,0,00,99.9,,,,,,")
        } else {
            let lat = "\(coordinate(latitude, degreeDigits: 2)),\(latitude >= 0 ? "N" : "S")"
            let lon = "\(coordinate(longitude, degreeDigits: 3)),\(longitude >= 0 ? "E" : "W")"
            let age = state.mode == .autonomous ? "," : "1.0,0001"
            text += sentence("GNGGA,\(time),\(lat),\(lon),\(state.mode.rawValue),\(digits(used.count, 2)),\(hdop),12.0,M,-3.1,M,\(age)")
        }
        for system in [1, 4, 3] {
            let mine = satellites.indices.filter { satellites[$0].system == system }
            let talker = system == 1 ? "GP" : system == 4 ? beidouTalker.rawValue : "GA"
            // GSA: one per system, the satellites used (4.10+: a GN talker and the system ID).
            let usedHere = mine.filter { used.contains($0) }.prefix(12).map { String(satellites[$0].number) }
            let slots = (usedHere + Array(repeating: "", count: 12 - usedHere.count)).joined(separator: ",")
            let fixMode = state.outage ? "1" : "3"
            text += sentence(edition.hasSystemIDs ? "GNGSA,A,\(fixMode),\(slots),\(pdop),\(hdop),\(vdop),\(system)"
                                                  : "\(talker)GSA,A,\(fixMode),\(slots),\(pdop),\(hdop),\(vdop)")
            // GSV: four satellites a sentence (4.10+: the signal ID, L1 C/A, B1I or E1).
            let count = (mine.count + 3) / 4
            for part in 0..<count {
                var body = "\(talker)GSV,\(count),\(part + 1),\(digits(mine.count, 2))"
                for index in mine[(part * 4)..<min(mine.count, part * 4 + 4)] {
                    let s = satellites[index]
                    body += ",\(digits(s.number, 2)),\(digits(s.elevation, 2)),\(digits(s.azimuth, 3)),\(digits(s.snr, 2))"
                }
                if edition.hasSystemIDs { body += system == 3 ? ",7" : ",1" }
                text += sentence(body)
            }
        }
        if state.outage {
            text += sentence("GNRMC,\(time),V,,,,,,,\(date),,,N" + (edition.hasSystemIDs ? ",V" : ""))
        } else {
            let lat = "\(coordinate(latitude, degreeDigits: 2)),\(latitude >= 0 ? "N" : "S")"
            let lon = "\(coordinate(longitude, degreeDigits: 3)),\(longitude >= 0 ? "E" : "W")"
            text += sentence("GNRMC,\(time),A,\(lat),\(lon),\(fixed(speed / 0.514444, 1)),,\(date),,,\(state.mode.faaMode)"
                             + (edition.hasSystemIDs ? ",V" : ""))
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
