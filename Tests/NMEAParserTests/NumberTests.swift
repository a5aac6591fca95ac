import Foundation
import Testing
@testable import NMEAParser

/// Numbers are read without loss: each result is the Double nearest the exact decimal value,
/// checked bit for bit against Python's exact rational arithmetic (`Fraction`, whose conversion
/// to float rounds correctly).
@Suite("Numbers without loss")
struct NumberTests {
    /// Decodes one field's text with `parse`, as a sentence would deliver it.
    func parsed<T>(_ text: String, _ parse: (NMEAField) throws(NMEADecodeError) -> T) throws -> T {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            try parse(NMEAField(bytes: UnsafeBufferPointer(buffer), index: 1))
        }
    }

    /// Python's correctly rounded value of each expression, as exact Double bits.
    func pythonValues(_ expressions: [String]) throws -> [UInt64] {
        let script = "from fractions import Fraction\nimport struct\nfor v in [\(expressions.joined(separator: ","))]:\n"
            + "    print(struct.unpack('<Q', struct.pack('<d', float(v)))[0])"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-"]
        let input = Pipe(), out = Pipe()
        process.standardInput = input
        process.standardOutput = out
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { UInt64($0) }
    }

    @Test func coordinatesAreTheNearestDouble() throws {
        var random = SplitMix(state: 0x5EED)
        var fields: [String] = []
        var exact: [String] = []
        for _ in 0..<3000 {
            let degrees = Int.random(in: 0...179, using: &random)
            let minutes = Int.random(in: 0...59, using: &random)
            let digits = Int.random(in: 0...11, using: &random)
            let fraction = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            let whole = String(format: "%03d%02d", degrees, minutes)
            fields.append(digits == 0 ? whole : whole + "." + fraction)
            let scale = "10**\(digits)"
            exact.append("Fraction((\(degrees)*60+\(minutes))*\(scale)+\(Int(fraction) ?? 0), 60*\(scale))")
        }
        let expected = try pythonValues(exact)
        #expect(expected.count == fields.count)
        for (field, bits) in zip(fields, expected) {
            #expect(try coordinate(field)?.bitPattern == bits, "\(field)")
        }
        // Digits past the eleventh of a minute (under 20 nm) are checked but do not change the value.
        #expect(try coordinate("12135.24420000001999") == coordinate("12135.24420000001"))
        #expect(throws: NMEADecodeError.self) { try coordinate("12135.2442000000199x") }
    }

    /// A coordinate field without a hemisphere field.
    func coordinate(_ text: String) throws -> Double? {
        try parsed(text) { field throws(NMEADecodeError) in
            try field.coordinate(hemisphere: NMEAField(bytes: UnsafeBufferPointer(start: nil, count: 0), index: 2), limit: 180)
        }
    }

    @Test func decimalsAreTheNearestDouble() throws {
        var random = SplitMix(state: 0x5EED)
        var fields: [String] = []
        for _ in 0..<3000 {
            let digits = Int.random(in: 1...18, using: &random)
            var text = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            let point = Int.random(in: 0...digits, using: &random)
            if point < digits { text.insert(".", at: text.index(text.startIndex, offsetBy: point)) }
            fields.append((Bool.random(using: &random) ? "-" : "") + text)
        }
        let expected = try pythonValues(fields.map { "'\($0)'" })
        #expect(expected.count == fields.count)
        for (field, bits) in zip(fields, expected) {
            let value = try parsed(field) { field throws(NMEADecodeError) in try field.double() }
            #expect(value?.bitPattern == bits, "\(field)")
        }
    }
}
