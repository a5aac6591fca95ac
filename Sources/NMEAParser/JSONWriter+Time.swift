import JSONText

extension JSONWriter {
    /// Appends an ISO 8601 UTC timestamp with milliseconds: `"2026-11-29T03:58:07.000Z"`.
    public mutating func timestamp(date: CalendarDate, time: TimeOfDay) {
        timestamp(year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute, second: time.second,
                  millisecond: time.nanosecond / 1_000_000)
    }

    /// Appends the ISO 8601 UTC timestamp `nanoseconds` after 1970, with milliseconds.
    public mutating func timestamp(utcNanoseconds nanoseconds: Int64) {
        let (date, time) = utcDateAndTime(nanosecondsSince1970: nanoseconds)
        timestamp(date: date, time: time)
    }
}
