import JSONText
import Glibc
import Testing
@testable import NMEAParser

/// `JSONWriter.fixed` against glibc's `%.Nf` where a value does not fit 64 bits once scaled: a
/// device or a sentence that sends 3e38 (or 1e20 metres of altitude) gets a number, not a trap.
@Suite("JSON numbers")
struct JSONWriterTests {
    private func written(_ value: Double, decimals: Int) -> String {
        var writer = JSONWriter()
        writer.fixed(value, decimals: decimals)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func printf(_ value: Double, decimals: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 400)
        _ = withVaList([decimals, value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test(arguments: [Double(Float.greatestFiniteMagnitude), -Double(Float.greatestFiniteMagnitude), Double(Float(3e38)),
                      .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e20, 0x1p63, 0x1p64, 9.5e18])
    func extremesAsCPrintsThem(value: Double) {
        for decimals in [0, 1, 3, 6, 9] {
            #expect(written(value, decimals: decimals) == printf(value, decimals: decimals))
        }
    }

    /// Values of every magnitude from 2^53 up (every Double there is a whole number).
    @Test func wholeNumbersOfEveryMagnitude() {
        var random = SplitMix(state: 0x3E38)
        for _ in 0..<2000 {
            let exponent = Int.random(in: 53...1023, using: &random)
            let value = Double(sign: Bool.random(using: &random) ? .minus : .plus, exponent: exponent,
                               significand: 1 + Double(UInt64.random(in: 0..<(1 << 52), using: &random)) * 0x1p-52)
            let decimals = Int.random(in: 0...9, using: &random)
            #expect(written(value, decimals: decimals) == printf(value, decimals: decimals), "seed 0x3E38, value \(value)")
        }
    }

    /// Below 2^63 whole, with a fraction: the fraction rounded to the decimals asked for.
    @Test func largeWithAFraction() {
        #expect(written(12_345_678_901.5, decimals: 9) == "12345678901.500000000")
        #expect(written(-12_345_678_901.25, decimals: 9) == "-12345678901.250000000")
        #expect(written(9_999_999_999.999_999_999_9, decimals: 9) == printf(9_999_999_999.999_999_999_9, decimals: 9))
    }

    @Test func nonFiniteIsNull() {
        #expect(written(.nan, decimals: 3) == "null")
        #expect(written(-.infinity, decimals: 3) == "null")
    }
}
