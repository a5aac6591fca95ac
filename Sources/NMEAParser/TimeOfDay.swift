/// A UTC time of day as NMEA gives it (`hhmmss.sss`), with its fraction of a second kept exactly.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Hour 0-23.
    public var hour: Int
    /// Minute 0-59.
    public var minute: Int
    /// Second 0-60 (60 for a leap second).
    public var second: Int
    /// Nanoseconds 0-999,999,999.
    public var nanosecond: Int

    /// Creates a time of day.
    public init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// Nanoseconds since midnight.
    public var nanosecondsOfDay: Int64 {
        (Int64(hour * 3600 + minute * 60 + second)) * 1_000_000_000 + Int64(nanosecond)
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.nanosecondsOfDay < rhs.nanosecondsOfDay }

    public var description: String {
        let millis = nanosecond / 1_000_000
        return "\(pad2(hour)):\(pad2(minute)):\(pad2(second)).\(pad3(millis))"
    }
}

/// A calendar date (proleptic Gregorian).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Full year, such as 2026.
    public var year: Int
    /// Month 1-12.
    public var month: Int
    /// Day 1-31.
    public var day: Int

    /// Creates a date.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (Howard Hinnant's civil-from-days inverse).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The next day.
    public var next: CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + 1) }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public var description: String { "\(year)-\(pad2(month))-\(pad2(day))" }
}

@inline(__always) func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
@inline(__always) func pad3(_ value: Int) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }

extension NMEAField {
    /// A UTC time `hhmmss[.s...]`.
    /// - Throws: ``NMEADecodeError`` `.invalidTime` or `.outOfRange`.
    public func timeOfDay() throws(NMEADecodeError) -> TimeOfDay? {
        guard !bytes.isEmpty else { return nil }
        guard bytes.count >= 6 else { throw NMEADecodeError(.invalidTime, field: index) }
        func two(_ at: Int) throws(NMEADecodeError) -> Int {
            let high = bytes[at] &- UInt8(ascii: "0"), low = bytes[at + 1] &- UInt8(ascii: "0")
            guard high < 10, low < 10 else { throw NMEADecodeError(.invalidTime, field: index) }
            return Int(high) * 10 + Int(low)
        }
        let hour = try two(0), minute = try two(2), second = try two(4)
        guard hour < 24, minute < 60, second <= 60 else { throw NMEADecodeError(.outOfRange, field: index) }
        var nanosecond = 0
        if bytes.count > 6 {
            guard bytes[6] == UInt8(ascii: "."), bytes.count <= 16 else { throw NMEADecodeError(.invalidTime, field: index) }
            var scale = 100_000_000
            for position in 7..<bytes.count {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { throw NMEADecodeError(.invalidTime, field: index) }
                nanosecond += Int(digit) * scale
                scale /= 10
            }
        }
        return TimeOfDay(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    /// A `ddmmyy` date; the two-digit year is placed in 1980-2079 (GPS began in 1980).
    /// - Throws: ``NMEADecodeError`` `.invalidDate` or `.outOfRange`.
    public func ddmmyy() throws(NMEADecodeError) -> CalendarDate? {
        guard !bytes.isEmpty else { return nil }
        guard bytes.count == 6 else { throw NMEADecodeError(.invalidDate, field: index) }
        var values = (0, 0, 0)
        for pair in 0..<3 {
            let high = bytes[pair * 2] &- UInt8(ascii: "0"), low = bytes[pair * 2 + 1] &- UInt8(ascii: "0")
            guard high < 10, low < 10 else { throw NMEADecodeError(.invalidDate, field: index) }
            let value = Int(high) * 10 + Int(low)
            switch pair {
            case 0: values.0 = value
            case 1: values.1 = value
            default: values.2 = value
            }
        }
        guard (1...31).contains(values.0), (1...12).contains(values.1) else { throw NMEADecodeError(.outOfRange, field: index) }
        let year = values.2 >= 80 ? 1900 + values.2 : 2000 + values.2
        return CalendarDate(year: year, month: values.1, day: values.0)
    }

    /// A latitude or longitude `[d]ddmm.mmmm` with the hemisphere in the next field, in degrees,
    /// negative south and west. A signed value (`-12135.2442`) is accepted; the hemisphere, when
    /// present, decides the sign.
    /// - Throws: ``NMEADecodeError`` `.invalidCoordinate` or `.outOfRange`.
    public func coordinate(hemisphere: NMEAField, limit: Double) throws(NMEADecodeError) -> Double? {
        guard !bytes.isEmpty else { return nil }
        // Degrees, minutes and the minutes' fraction as integers: the result is one correctly
        // rounded quotient of two exact integers, (degrees * 60 + minutes) * 10^k / (60 * 10^k).
        var position = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; position = 1 }
        var whole = 0
        var wholeDigits = 0
        while position < bytes.count, bytes[position] != UInt8(ascii: ".") {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10, wholeDigits < 6 else { throw NMEADecodeError(.invalidCoordinate, field: index) }
            whole = whole &* 10 &+ Int(digit)
            wholeDigits &+= 1
            position &+= 1
        }
        guard wholeDigits >= 3 else { throw NMEADecodeError(.invalidCoordinate, field: index) }
        var fraction = 0
        var scale = 1
        if position < bytes.count {
            position &+= 1
            guard position < bytes.count else { throw NMEADecodeError(.invalidCoordinate, field: index) }
            while position < bytes.count {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { throw NMEADecodeError(.invalidCoordinate, field: index) }
                // Digits past the eleventh of a minute (under 20 nm) are checked, not used: so the
                // numerator of any coordinate within 180 degrees stays below 2^53, exact in a Double.
                if scale < 100_000_000_000 {
                    fraction = fraction &* 10 &+ Int(digit)
                    scale &*= 10
                }
                position &+= 1
            }
        }
        let minutes = whole % 100 &* scale &+ fraction
        guard minutes < 60 &* scale else { throw NMEADecodeError(.outOfRange, field: index) }
        var result = Double(whole / 100 &* 60 &* scale &+ minutes) / Double(60 &* scale)
        guard result <= limit else { throw NMEADecodeError(.outOfRange, field: index) }
        // The hemisphere decides; a sign alone (no hemisphere) is honoured too.
        switch hemisphere.first {
        case UInt8(ascii: "N")?, UInt8(ascii: "E")?: break
        case nil: if negative { result = -result }
        case UInt8(ascii: "S")?, UInt8(ascii: "W")?: result = -result
        default: throw NMEADecodeError(.invalidCoordinate, field: hemisphere.index)
        }
        return result
    }
}

/// The UTC date and time `nanoseconds` after 1970-01-01T00:00:00Z (before it when negative).
public func utcDateAndTime(nanosecondsSince1970 nanoseconds: Int64) -> (date: CalendarDate, time: TimeOfDay) {
    var (seconds, nanosecond) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
    if nanosecond < 0 { (seconds, nanosecond) = (seconds - 1, nanosecond + 1_000_000_000) }
    var (days, ofDaySeconds) = seconds.quotientAndRemainder(dividingBy: 86_400)
    if ofDaySeconds < 0 { (days, ofDaySeconds) = (days - 1, ofDaySeconds + 86_400) }
    let ofDay = Int(ofDaySeconds)
    return (CalendarDate(daysSinceEpoch: Int(days)),
            TimeOfDay(hour: ofDay / 3600, minute: ofDay / 60 % 60, second: ofDay % 60, nanosecond: Int(nanosecond)))
}
