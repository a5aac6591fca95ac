import JSONText
import EdgeIO
import NMEAParser
import Testing
@testable import EdgeNode

/// The data plane: typed values with quality and both times, definitions, and subscribers with
/// bounded queues whose drops are counted.
@Suite("Data plane")
struct PointStoreTests {
    @Test func samplesKeepTheirTypeQualityAndTimes() throws {
        let store = PointStore()
        store.define([PointDefinition(name: "plc.count", datatype: .uint64, unit: "items", device: "plc")])
        let before = utcNanoseconds()
        store.update("plc.count", .uint64(.max), quality: .good, at: 12.5)
        store.update("plc.name", .string("PET-500"), quality: .good, at: 13)
        store.update("plc.run", .bool(true), quality: .good, at: 13)
        store.update("plc.temp", nil, quality: .bad(.notFinite, reason: "not a finite number (nan)"), at: 14)
        let count = try #require(store["plc.count"])
        #expect(count.value == .uint64(.max) && count.monotonicSeconds == 12.5)
        #expect(count.utcNanoseconds >= before && count.utcNanoseconds <= utcNanoseconds())
        #expect(store.definition("plc.count")?.datatype == .uint64 && store.definition("plc.count")?.unit == "items")
        #expect(store["plc.name"]?.value == .string("PET-500") && store.goodValue("plc.name") == nil)
        #expect(store.goodValue("plc.run") == 1)
        #expect(store["plc.temp"]?.quality.description == "bad: not a finite number (nan)")
        #expect(PointStore.tally(store.all, under: "plc") == (4, 1))
        var json = JSONWriter()
        PointValue.uint64(.max).write(into: &json)
        PointValue.bool(false).write(into: &json)
        #expect(String(decoding: json.bytes, as: UTF8.self) == "18446744073709551615false")
    }

    @Test func aSlowSubscriberDropsAndCountsWithoutBlocking() {
        let store = PointStore()
        let slow = store.subscribe(capacity: 10), fast = store.subscribe(capacity: 1000)
        for index in 0..<100 { store.update("gpio.door", .bool(index % 2 == 0), quality: .good, at: Double(index)) }
        let kept = slow.drain()
        #expect(kept.count == 10 && slow.dropped == 90)
        #expect(kept.map(\.sample.monotonicSeconds) == (0..<10).map(Double.init), "the oldest are kept, in order")
        #expect(fast.drain().count == 100 && fast.dropped == 0)
        #expect(slow.drain().isEmpty)
        store.update("gpio.door", .bool(true), quality: .good, at: 100)
        let next = slow.drain()
        #expect(next.count == 1 && next[0].previous?.monotonicSeconds == 99)
    }

    /// Four device threads publish while a consumer drains: every update is delivered or counted
    /// as dropped, each thread's in order (run under ThreadSanitizer by make test).
    @Test func devicesPublishWhileAConsumerDrains() async {
        let store = PointStore()
        let subscription = store.subscribe(capacity: 500)
        let perThread = 5_000
        let done = StopFlag()
        let received = Task.detached {
            var changes: [PointChange] = []
            while true {
                let finished = done.isSet
                changes += subscription.drain()
                if finished { return changes }
                await Task.yield()
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<4 {
                group.addTask {
                    for index in 0..<perThread { store.update("dev\(thread).count", .int64(Int64(index)), quality: .good, at: Double(index)) }
                }
            }
        }
        done.set()
        let changes = await received.value
        #expect(changes.count + subscription.dropped == 4 * perThread)
        for thread in 0..<4 {
            let values = changes.filter { $0.name == "dev\(thread).count" }.compactMap { $0.sample.value?.doubleValue }
            #expect(values == values.sorted(), "thread \(thread) out of order")
        }
        #expect(store["dev3.count"]?.value == .int64(Int64(perThread - 1)))
    }

    /// A waiting consumer is woken by the first update, and by cancellation with nothing held.
    @Test func aWaitingConsumerIsWoken() async {
        let store = PointStore()
        let subscription = store.subscribe(capacity: 10)
        let waiting = Task { await subscription.next() }
        try? await Task.sleep(for: .milliseconds(50))
        store.update("gpio.door", .bool(true), quality: .good, at: 1)
        #expect(await waiting.value.map(\.name) == ["gpio.door"])
        let cancelled = Task { await subscription.next() }
        cancelled.cancel()
        #expect(await cancelled.value.isEmpty)
        let closed = Task { await subscription.next() }
        try? await Task.sleep(for: .milliseconds(50))
        subscription.close()
        #expect(await closed.value.isEmpty)
    }

    @Test func utcFromNanoseconds() {
        let (date, time) = utcDateAndTime(nanosecondsSince1970: 1_796_601_600_123_456_789)   // 2026-12-07T00:00:00.123456789Z
        #expect("\(date)" == "2026-12-07" && time == TimeOfDay(hour: 0, minute: 0, second: 0, nanosecond: 123_456_789))
        let (before, justBefore) = utcDateAndTime(nanosecondsSince1970: -1)
        #expect("\(before)" == "1969-12-31" && justBefore == TimeOfDay(hour: 23, minute: 59, second: 59, nanosecond: 999_999_999))
    }
}
