/// ZDA: UTC time and date with a four-digit year, and the local zone.
public struct ZDA: Sendable, Equatable {
    public var time: TimeOfDay?
    public var date: CalendarDate?
    public var localZoneHours: Int?
    public var localZoneMinutes: Int?

    @usableFromInline
    init(_ s: NMEASentence) throws(NMEADecodeError) {
        try requireFields(s, 5)
        time = try s[1].timeOfDay()
        if let day = try s[2].int(), let month = try s[3].int(), let year = try s[4].int() {
            guard (1...31).contains(day) else { throw NMEADecodeError(.outOfRange, field: 2) }
            guard (1...12).contains(month) else { throw NMEADecodeError(.outOfRange, field: 3) }
            guard (1980...2200).contains(year) else { throw NMEADecodeError(.outOfRange, field: 4) }
            date = CalendarDate(year: year, month: month, day: day)
        }
        localZoneHours = try s[5].int()
        localZoneMinutes = try s[6].int()
    }
}
