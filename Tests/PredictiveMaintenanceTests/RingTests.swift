import Foundation
import Testing
@testable import PredictiveMaintenance

@Suite("SPSC ring")
struct RingTests {
    /// Every (capacity, start, count) layout: spans split where the buffer wraps, values come back
    /// in order, and what does not fit is refused and counted.
    @Test(arguments: [1, 2, 4, 8, 16])
    func everyLayout(_ capacity: Int) {
        for start in 0..<(2 * capacity) {
            for count in 0...(capacity + 2) {
                let ring = SPSCRing<Int>(minimumCapacity: capacity)
                #expect(ring.capacity == capacity)
                for value in 0..<start {
                    #expect(ring.push(value))
                    #expect(ring.pop() == value)
                }
                let values = Array(100..<(100 + count))
                let written = values.withUnsafeBufferPointer { ring.write($0) }
                #expect(written == min(count, capacity))
                #expect(ring.overflowCount == max(0, count - capacity))
                #expect(ring.count == written)
                ring.withReadableSpans { first, second in
                    let startIndex = start % capacity
                    #expect(first.count == min(written, capacity - startIndex))
                    #expect(first.count + second.count == written)
                    #expect(Array(first) + Array(second) == Array(values.prefix(written)))
                    return 0
                }
                var out = [Int](repeating: -1, count: capacity + 2)
                let read = out.withUnsafeMutableBufferPointer { ring.read(into: $0) }
                #expect(read == written && Array(out.prefix(read)) == Array(values.prefix(written)))
                #expect(ring.pop() == nil && ring.count == 0)
            }
        }
    }

    @Test func writableSpansPublishOnlyWhatWasWritten() {
        let ring = SPSCRing<Float>(minimumCapacity: 8)
        for _ in 0..<6 { ring.push(0); _ = ring.pop() }
        let written = ring.withWritableSpans { first, second in
            #expect(first.count == 2 && second.count == 6)
            first[0] = 1; first[1] = 2; second[0] = 3
            return 3
        }
        #expect(written == 3 && ring.count == 3)
        #expect([ring.pop(), ring.pop(), ring.pop()] == [1, 2, 3])
    }

    @Test func overwriteOldestKeepsTheLatestWindow() {
        let ring = SPSCRing<Int>(minimumCapacity: 8, policy: .overwriteOldest)
        let values = Array(0..<29)
        values.withUnsafeBufferPointer { for index in $0.indices { ring.push($0[index]) } }
        var window = [Int](repeating: 0, count: 5)
        #expect(window.withUnsafeMutableBufferPointer { ring.latest(into: $0) })
        #expect(window == [24, 25, 26, 27, 28])
        var out = [Int](repeating: -1, count: 16)
        let read = out.withUnsafeMutableBufferPointer { ring.read(into: $0) }
        #expect(read == 8 && Array(out.prefix(8)) == Array(21..<29))
        #expect(ring.overflowCount == 29 - 8)
    }

    @Test func threeAxisFramesStayTogether() {
        let ring = ThreeAxisRing(minimumCapacity: 4)
        ring.push(SIMD4(1, 2, 3, 0))
        #expect(ring.pop() == SIMD4(1, 2, 3, 0))
    }

    /// One producer thread and one consumer thread move two million values through a small ring,
    /// in blocks of varying size; the consumer sees every value once, in order. `make test` runs
    /// this again under ThreadSanitizer.
    @Test func twoThreadStress() async {
        let ring = SPSCRing<UInt32>(minimumCapacity: 1024)
        let total: UInt32 = 2_000_000
        let producer = Thread {
            var next: UInt32 = 0
            var block = [UInt32](repeating: 0, count: 700)
            while next < total {
                let size = Int(next % 677) + 1
                let count = min(size, Int(total - next))
                for index in 0..<count { block[index] = next + UInt32(index) }
                if size % 2 == 0 {
                    // Item by item.
                    if ring.push(next) { next += 1 }
                } else {
                    let written = block.withUnsafeBufferPointer { ring.write(UnsafeBufferPointer(rebasing: $0[0..<count])) }
                    next += UInt32(written)
                }
            }
        }
        producer.start()
        var expected: UInt32 = 0
        var inOrder = true
        var buffer = [UInt32](repeating: 0, count: 513)
        while expected < total {
            if expected % 3 == 0, let value = ring.pop() {
                if value != expected { inOrder = false }
                expected += 1
                continue
            }
            let read = buffer.withUnsafeMutableBufferPointer { ring.read(into: $0) }
            for index in 0..<read where buffer[index] != expected + UInt32(index) { inOrder = false }
            expected += UInt32(read)
        }
        #expect(inOrder)
        #expect(expected == total)
        // The producer retries what was refused, so refusals are counted but nothing is lost.
        #expect(ring.totalWritten == Int(total))
    }
}
