import Testing
@testable import EdgeNode

@Suite("Line counter")
struct LineCounterTests {
    /// Offsets asked in order, in chunks of every size, give the lines a byte-by-byte count gives.
    @Test func agreesWithCountingEveryByte() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x0A, 0x0D, 0x24, 0x8A, 0x0B]
        let input: [UInt8] = (0..<5000).map { _ in alphabet.randomElement(using: &generator)! }
        for _ in 0..<50 {
            var counter = LineCounter()
            var chunkStart = 0
            while chunkStart < input.count {
                let chunkEnd = min(chunkStart + Int.random(in: 1...700, using: &generator), input.count)
                input[chunkStart..<chunkEnd].withUnsafeBytes { chunk in
                    var offset = chunkStart
                    while offset < chunkEnd {
                        counter.count(chunk, startingAt: chunkStart, upTo: offset)
                        #expect(counter.line == input[..<offset].count(where: { $0 == UInt8(ascii: "\n") }) + 1)
                        offset += Int.random(in: 1...40, using: &generator)
                    }
                    counter.count(chunk, startingAt: chunkStart, upTo: chunkEnd)
                }
                chunkStart = chunkEnd
            }
            #expect(counter.line == input.count(where: { $0 == UInt8(ascii: "\n") }) + 1)
        }
    }
}
