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

    /// Appends one line of the event log, as the daemon and the firmware build write it:
    /// `{"event": kind, "source": source, "utc": the time, ...fields}` and a line feed.
    public mutating func eventLine(_ kind: StaticString, source: String, utcNanoseconds: Int64, _ fields: (inout JSONWriter) -> Void) {
        raw("{\"event\":\""); raw(kind); raw("\",\"source\":"); string(source)
        key("utc"); timestamp(utcNanoseconds: utcNanoseconds)
        fields(&self)
        raw("}\n")
    }
}
