import Foundation
import JSONText
import Testing

/// JSONText's reader, which the firmware build reads compiled routes with, against Foundation's.
@Suite("JSON reader")
struct JSONValueTests {
    /// Foundation's reading of a document, as a JSONValue.
    private func foundation(_ text: String) -> JSONValue? {
        (try? JSONDecoder().decode(FoundationValue.self, from: Data(text.utf8)))?.value
    }

    /// A document as JSONDecoder reads it (a number is never taken for a Boolean).
    private struct FoundationValue: Decodable {
        let value: JSONValue

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                value = .null
            } else if let bool = try? container.decode(Bool.self) {
                value = .bool(bool)
            } else if let number = try? container.decode(Double.self) {
                value = .number(number)
            } else if let string = try? container.decode(String.self) {
                value = .string(string)
            } else if let array = try? container.decode([FoundationValue].self) {
                value = .array(array.map(\.value))
            } else {
                value = .object(try container.decode([String: FoundationValue].self).mapValues(\.value))
            }
        }
    }

    /// Random documents (nesting, escapes, every number form, non-ASCII) read alike by both.
    @Test func agreesWithFoundation() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix(state: seed)
        func text(_ depth: Int) -> String {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 7), using: &random) {
            case 0: return ["null", "true", "false"][Int.random(in: 0..<3, using: &random)]
            case 1: return ["0", "-0", "12", "-3.25", "1e3", "2.5E-3", "1.7976931348623157e308", "5e-324", "123456789012345678"][Int.random(in: 0..<9, using: &random)]
            case 2, 3:
                let pieces = ["a", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "北斗", "é", "\\u0000"]
                return "\"" + (0..<Int.random(in: 0..<6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
            case 4, 5:
                return "[" + (0..<Int.random(in: 0..<4, using: &random)).map { _ in text(depth + 1) }.joined(separator: ", ") + "]"
            default:
                let members = (0..<Int.random(in: 0..<4, using: &random)).map { index in "\n \"k\(index)\" : " + text(depth + 1) }
                return "{" + members.joined(separator: ",") + "}"
            }
        }
        for _ in 0..<2_000 {
            let document = text(0)
            #expect(JSONValue.parse(document.utf8) == foundation(document), "seed \(seed): \(document)")
        }
    }

    /// What is not JSON is refused with the line and column where it stops being JSON.
    @Test(arguments: [
        ("{\"a\": 1,\n \"b\": }", 2, 7, "a value"),
        ("[1, 2", 1, 6, "',' or ']' in an array"),
        ("{\"a\" 1}", 1, 6, "':' after a member name"),
        ("01", 1, 2, "the end of the document"),
        ("1.", 1, 3, "digits after the decimal point"),
        ("\"tab\there\"", 1, 5, "a control character escaped inside a string"),
        ("\"\\x\"", 1, 3, "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after '\\'"),
        ("tru", 1, 1, "a value"),
        ("{'a': 1}", 1, 2, "a member name in quotes"),
        ("", 1, 1, "a value"),
    ])
    func refusesWithPosition(text: String, line: Int, column: Int, expected: String) {
        #expect(throws: JSONSyntaxError(line: line, column: column, expected: expected)) { try JSONValue(parsing: text.utf8) }
        #expect(foundation(text) == nil)
    }

    /// Nesting deeper than the reader takes is an error, not a stack overflow.
    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: deep.utf8) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(JSONValue.parse(fine.utf8) != nil)
    }

    /// What JSONWriter writes reads back as written: numbers at their decimals, escaped strings.
    @Test func readsWhatTheWriterWrites() {
        var writer = JSONWriter()
        writer.raw("{\"name\":"); writer.string("pump \"P-101\"\n北斗")
        writer.key("lat"); writer.fixed(22.271_023_456, decimals: 9)
        writer.key("big"); writer.fixed(3e38, decimals: 1)
        writer.key("list"); writer.strings(["a", "b"])
        writer.raw("}")
        let value = JSONValue.parse(writer.bytes)
        #expect(value?["name"]?.string == "pump \"P-101\"\n北斗")
        #expect(value?["lat"]?.double == 22.271_023_456)
        #expect(value?["big"]?.double == 3e38)
        #expect(value?["list"] == .array([.string("a"), .string("b")]))
    }
}
