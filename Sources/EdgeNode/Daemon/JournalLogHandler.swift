import Glibc
import Logging

/// Log lines for journald: with `$JOURNAL_STREAM` set (systemd connected stderr to the journal)
/// each line starts with its syslog priority, `<3>` for errors to `<7>` for debug; otherwise a
/// timestamp and the level.
struct JournalLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private let journal = getenv("JOURNAL_STREAM") != nil

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let priority = switch event.level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
        let line: String
        if journal {
            line = "<\(priority)>\(event.message)\n"
        } else {
            let now = utcNow()
            line = "\(now.date)T\(now.time)Z \(event.level) \(event.message)\n"
        }
        var output = OutputSink(descriptor: 2)
        output.write(line)
        output.flush()
    }
}
