import JSONText
import EdgeIO
import NMEAParser
import PredictiveMaintenance

/// The entry points `make fuzz` drives with libFuzzer and `make test` replays its corpus through:
/// each takes arbitrary bytes the way the product takes them from a device, a file or the
/// command line. Bad input is rejected with a typed error; a trap or an output that is not
/// valid JSON is a bug, and stops the fuzzer with the input that found it.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A receiver's byte stream into records, epochs, gpsd JSON and the table `nmea decode` prints.
    case nmea
    /// Registers from a device, as every type in every word order, scaled, into event JSON.
    case modbus
    /// A site file, a Modbus profile, a route or a receiver profile (the first byte chooses).
    case yaml
    /// A recording with its rate, shaft speed and bearing geometry, through the whole analysis.
    case vibration

    /// Runs one input.
    public func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .nmea: Self.nmea(input)
        case .modbus: Self.modbus(input)
        case .yaml: Self.yaml(input)
        case .vibration: Self.vibration(input)
        }
    }

    private static func requireJSON(_ bytes: some Sequence<UInt8>, _ what: String) {
        for line in Array(bytes).split(separator: UInt8(ascii: "\n")) where JSONValue.parse(line) == nil {
            fatalError("\(what) is not JSON: \(String(decoding: line, as: UTF8.self))")
        }
    }

    private static func nmea(_ input: UnsafeRawBufferPointer) {
        var json = NMEAStream(framer: .init(checksumPolicy: .acceptAndFlag))
        var reports = GpsdJSONConsumer()
        json.feed(input, into: &reports)
        json.finish(into: &reports)
        reports.writer.withBytes { requireJSON($0, "a gpsd report") }
        var table = NMEAStream()
        var rows = EpochTableConsumer()
        table.feed(input, into: &rows)
        table.finish(into: &rows)
        requireJSON(Array(NMEACommands.render(table.statistics, table.framer, json: true).utf8), "nmea stats --json")
        _ = NMEACommands.render(table.statistics, table.framer, json: false)
    }

    private static func modbus(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 26 else { return }
        let words = (0..<4).map { UInt16(input[2 * $0]) << 8 | UInt16(input[2 * $0 + 1]) }
        if let decodings = try? ModbusCommands.decode(words, json: true) { requireJSON(Array(decodings.utf8), "modbus decode --json") }
        let types = ModbusValueType.numeric + [.bit(Int(input[8] % 16)), .string(registers: 4)]
        let scale = input.loadUnaligned(fromByteOffset: 10, as: Double.self), offset = input.loadUnaligned(fromByteOffset: 18, as: Double.self)
        let invalid = input[9] & 1 == 0 ? nil : Double(words[0])
        let tables: [ModbusTable] = [.holding, .input, .coil, .discrete]
        let point = ModbusPoint(name: "fuzz", table: tables[Int(input[9] >> 1) % 4], address: 0, type: input[9] & 8 == 0 ? types[Int(input[8]) % types.count] : nil,
                                order: WordOrder.allCases[Int(input[9] >> 4) % 4], scale: scale.isFinite && scale != 0 ? scale : 1,
                                offset: offset.isFinite ? offset : 0, invalid: invalid)
        let (value, quality) = point.reading(of: words[...])
        var event = JSONWriter()
        event.raw("{\"quality\":"); event.string(quality.description)
        if let value { event.key("value"); value.write(into: &event) }
        event.byte(UInt8(ascii: "}"))
        event.withBytes { requireJSON($0, "a point event") }
        if let number = value?.doubleValue, !number.isFinite { fatalError("a non-finite value is good: \(words)") }
    }

    private static func yaml(_ input: UnsafeRawBufferPointer) {
        guard let kind = input.first else { return }
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        do throws(EdgeNodeError) {
            switch kind % 4 {
            case 0: _ = try SiteFile.parse(text, file: "/nonexistent/site.yaml")
            case 1: _ = try ModbusProfileFile.parse(try YAMLValue.parse(text, file: "profile.yaml"), directory: "/nonexistent")
            case 2: _ = try RouteFile.parse(text, name: "route.yaml")
            default: _ = try ReceiverProfileFile.parse(try YAMLValue.parse(text, file: "receiver.yaml"))
            }
        } catch {
            if error.exitCode != 2 || error.message.isEmpty { fatalError("not an input error: \(error.message)") }
        }
    }

    private static func vibration(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 48 else { return }
        func number(_ offset: Int) -> Double { input.loadUnaligned(fromByteOffset: offset, as: Double.self) }
        // Half the inputs give numbers in plausible ranges, so that the analysis itself runs.
        let plausible = input[0] & 1 == 1
        func ranged(_ offset: Int, _ range: ClosedRange<Double>) -> Double {
            let raw = input.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return range.lowerBound + (range.upperBound - range.lowerBound) * Double(raw) / Double(UInt32.max)
        }
        var options = RecordingAnalysis.Settings(sampleRate: plausible ? ranged(8, 50...200_000) : number(8))
        options.shaftHz = input[1] & 1 == 0 ? nil : plausible ? ranged(16, 0.1...500) : number(16)
        if input[1] & 2 != 0 {
            let text = plausible ? "n=\(3 + Int(input[2]) % 30),d=\(ranged(24, 0.01...1)),D=\(ranged(32, 1.01...10)),angle=\(ranged(40, -40...40))"
                                 : "n=\(number(24)),d=\(number(32)),D=\(number(40))"
            options.bearing = try? RecordingAnalysis.Settings.bearing(parsing: text)
        }
        if input[1] & 4 != 0, plausible {
            options.band = try? RecordingAnalysis.Settings.band(parsing: "\(ranged(24, 0...20_000))-\(ranged(32, 0...100_000))", sampleRate: options.sampleRate)
        }
        let samples = (0..<((input.count - 48) / 4)).map { input.loadUnaligned(fromByteOffset: 48 + 4 * $0, as: Float.self) }
        // Short inputs are repeated to the analysis' minimum, so that most reach the spectra.
        let record = samples.isEmpty ? [] : (0..<max(samples.count, 4096)).map { samples[$0 % samples.count] }
        guard let analysis = try? VibrationCommands.analyze(samples: record, named: "fuzz.f32", settings: options) else { return }
        requireJSON(Array(VibrationCommands.render(analysis, json: true).utf8), "vibration analyze --json")
        _ = VibrationCommands.render(analysis, json: false)
        _ = VibrationCommands.svg(analysis)
    }
}
