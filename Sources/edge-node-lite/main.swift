import JSONText
import NMEAParser
import PatrolAgent
import PatrolRuntime
import PredictiveMaintenance

// edge-node-lite: the firmware build of edge-node's cores, in Embedded Swift, for gateways with
// no full Swift (riscv64 and aarch64). It runs the same library code as edge-node and writes the
// same JSON; it leaves out Modbus, GPIO, the site file, the text reports and the plots.

let usage = """
    usage: edge-node-lite <command> [options]

    commands (each writes what edge-node's command of the same name writes with --json):
      nmea decode [FILE|-] [--json]
          gpsd-style JSON reports of an NMEA 0183 capture (standard input without FILE)
      vibration analyze FILE --rate HZ [--format f32le|s16le|csv] [--scale K] [--units g|m/s2]
                        [--shaft-hz F] [--bearing n=N,d=D1,D=D2[,angle=A]] [--band LOW-HIGH] [--json]
          features, ISO 10816-3 severity (group 2, rigid) and the bearing verdict of a recording
      patrol replay --route ROUTE.json --nmea FILE|- [--json]
          the run record (JSON Lines) of a patrol on the capture; ROUTE.json is what
          `edge-node patrol check ROUTE.yaml --json` writes (the route compiled)
      run --route ROUTE.json --receiver PORT [--baud 9600] --events FILE [--silent-after 3]
          [--vibration FIFO --rate HZ [--shaft-hz F] [--bearing ...] [--channel NAME]] [--until-complete]
          the patrol on a receiver's serial port, and a maintenance channel on a FIFO of float32
          samples, events appended to FILE as the daemon writes them; a silent or vanished
          receiver or FIFO is a device_fault and is opened again; SIGTERM stops it
          (--until-complete: so does the patrol's end)

    """

@_cdecl("main")
func main(_ count: Int32, _ values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    let arguments = (1..<Int(count)).map { String(cString: values[$0]!) }
    do throws(LiteError) {
        switch (arguments.first, arguments.dropFirst().first) {
        case ("nmea", "decode"): try nmeaDecode(Array(arguments.dropFirst(2)))
        case ("vibration", "analyze"): try vibrationAnalyze(Array(arguments.dropFirst(2)))
        case ("patrol", "replay"): try patrolReplay(Array(arguments.dropFirst(2)))
        case ("run", _): try run(Array(arguments.dropFirst(1)))
        case ("--help", _), ("-h", _), ("help", _): Output.write(usage)
        default: throw LiteError("unknown command '\(arguments.prefix(2).joined(separator: " "))'\n\(usage)", exitCode: 2)
        }
        return 0
    } catch {
        Output.error("edge-node-lite: \(error.message)\n")
        return error.exitCode
    }
}

/// `nmea decode`: the capture through the framer, the decoders and the epoch assembler into
/// gpsd's JSON, as `edge-node nmea decode --json` writes it; a count of what did not decode on
/// standard error.
func nmeaDecode(_ arguments: [String]) throws(LiteError) {
    let options = try Options(arguments, flags: ["--json"], values: [])
    let input = try InputFile(path: options.positional(default: "-"))
    var consumer = GpsdLines()
    let stream = try decode(input, into: &consumer) { Output.write(&$0.writer) }
    let discarded = stream.framer.discards.totalBytes
    if consumer.failures > 0 || discarded > 0 {
        Output.error("\(input.name): \(consumer.failures) sentences did not decode; \(discarded) bytes discarded\n")
    }
}

/// gpsd-style reports for each sentence, and a count of those that did not decode.
struct GpsdLines: NMEAStreamConsumer, ~Copyable {
    var reporter = GpsdReporter()
    var writer = JSONWriter(capacity: 1 << 17)
    var failures = 0

    mutating func sentence(_ sentence: NMEASentence, record: NMEARecord, assembler: EpochAssembler) {
        reporter.report(sentence, record: record, assembler: assembler, into: &writer)
    }

    mutating func decodeFailed(_ sentence: NMEASentence, error: NMEADecodeError) { failures += 1 }
}

/// `vibration analyze`: the recording through ``RecordingAnalysis``, as one JSON object.
func vibrationAnalyze(_ arguments: [String]) throws(LiteError) {
    let options = try Options(arguments, flags: ["--json"],
                              values: ["--rate", "--format", "--scale", "--units", "--shaft-hz", "--bearing", "--band"])
    let path = try options.positional(default: nil)
    guard let rate = try options.number("--rate") else { throw LiteError("vibration analyze needs --rate HZ", exitCode: 2) }
    var settings = RecordingAnalysis.Settings(sampleRate: rate)
    settings.encoding = try options.choice("--format") ?? .f32le
    settings.units = try options.choice("--units") ?? .g
    settings.scale = try options.number("--scale") ?? 1
    settings.shaftHz = try options.number("--shaft-hz")
    try reported { () throws(RecordingError) in
        settings.bearing = try options.values["--bearing"].map { text throws(RecordingError) in
            try RecordingAnalysis.Settings.bearing(parsing: text)
        }
        settings.band = try options.values["--band"].map { text throws(RecordingError) in
            try RecordingAnalysis.Settings.band(parsing: text, sampleRate: rate)
        }
        try settings.validate()
    }
    let bytes = try InputFile(path: path).readAll()
    let analysis = try reported { () throws(RecordingError) in
        try RecordingAnalysis(samples: settings.encoding.samples(of: bytes, named: path, scale: settings.scale), named: path, settings: settings)
    }
    Output.write(analysis.json)
}

/// What `body` returns, or its error as the command reports it.
func reported<Result, Failure: Error & CustomStringConvertible>(_ body: () throws(Failure) -> Result) throws(LiteError) -> Result {
    do {
        return try body()
    } catch {
        throw LiteError(error.description)
    }
}

/// `patrol replay`: the capture through the parser and the patrol agent, on a compiled route;
/// the run record, as `edge-node patrol replay --json` writes it.
func patrolReplay(_ arguments: [String]) throws(LiteError) {
    let options = try Options(arguments, flags: ["--json"], values: ["--route", "--nmea"])
    guard let routePath = options.values["--route"], let nmeaPath = options.values["--nmea"] else {
        throw LiteError("patrol replay needs --route ROUTE.json and --nmea FILE", exitCode: 2)
    }
    let route = try compiledRoute(routePath)
    var patrol = Patrol(agent: PatrolAgent(route: route, reader: NoReadings()))
    _ = try decode(InputFile(path: nmeaPath), into: &patrol) { Output.write(&$0.record) }
}

/// The NMEA in `input` through the parser into `consumer`; `flush` takes what the consumer wrote,
/// after each chunk and at the end. Returns the stream, with its framer's counts.
func decode<Consumer: NMEAStreamConsumer & ~Copyable>(_ input: borrowing InputFile, into consumer: inout Consumer,
                                                      flush: (inout Consumer) -> Void) throws(LiteError) -> NMEAStream {
    var stream = NMEAStream()
    try input.forEachChunk { chunk in
        stream.feed(chunk, into: &consumer)
        flush(&consumer)
    }
    stream.finish(into: &consumer)
    flush(&consumer)
    return stream
}

/// A route as `edge-node patrol check --json` compiled it (or the bare route object), refused
/// when the check had findings.
func compiledRoute(_ path: String) throws(LiteError) -> Route {
    let bytes = try InputFile(path: path).readAll()
    let exported = try reported { () throws(JSONSyntaxError) in try JSONValue(parsing: bytes) }
    if let findings = exported["findings"]?.array, !findings.isEmpty {
        let list = findings.compactMap { $0.string }.joined(separator: "\n")
        throw LiteError("\(path): the route has findings; fix them and export it again:\n\(list)")
    }
    return try reported { () throws(RouteJSONError) in try Route(json: exported["definition"] ?? exported) }
}

/// The patrol agent on the receiver's epochs, the run record lines it has not yet written, and
/// its clock (the receiver's time, carried on by the monotonic clock while epochs stop).
struct Patrol: NMEAStreamConsumer, ~Copyable {
    var agent: PatrolAgent<NoReadings>
    var record = JSONWriter(capacity: 1 << 16)
    var clock = PatrolClock()

    mutating func epoch(_ fix: Fix, _ sky: SkyView) {
        guard let time = PatrolEvents.patrolTime(fix) else { return }
        clock.epoch(receiverTime: time, at: monotonicSeconds())
        PatrolEvents.advance(&agent, to: time, with: PatrolEvents.patrolFix(fix), writing: &record)
    }
}

/// A command's options: flags, `--name VALUE` pairs and at most one positional argument.
struct Options {
    var flags: Set<String> = []
    var values: [String: String] = [:]
    var positionals: [String] = []

    init(_ arguments: [String], flags known: Set<String>, values takingValues: Set<String>) throws(LiteError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if known.contains(argument) {
                flags.insert(argument)
            } else if takingValues.contains(argument) {
                guard index + 1 < arguments.count else { throw LiteError("\(argument) needs a value", exitCode: 2) }
                values[argument] = arguments[index + 1]
                index += 1
            } else if argument.hasPrefix("--") {
                throw LiteError("unknown option '\(argument)'", exitCode: 2)
            } else {
                positionals.append(argument)
            }
            index += 1
        }
    }

    /// The one positional argument, or `default` when there is none (an error without one).
    func positional(default fallback: String?) throws(LiteError) -> String {
        guard positionals.count <= 1 else { throw LiteError("one FILE, found '\(positionals.joined(separator: " "))'", exitCode: 2) }
        guard let value = positionals.first ?? fallback else { throw LiteError("a FILE is needed", exitCode: 2) }
        return value
    }

    func number(_ name: String) throws(LiteError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text) else { throw LiteError("\(name): expected a number, found '\(text)'", exitCode: 2) }
        return value
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String) throws(LiteError) -> Choice? where Choice.RawValue == String {
        guard let text = values[name] else { return nil }
        guard let value = Choice(rawValue: text) else {
            throw LiteError("\(name): expected one of \(Choice.allCases.map { $0.rawValue }.joined(separator: ", ")), found '\(text)'", exitCode: 2)
        }
        return value
    }
}
