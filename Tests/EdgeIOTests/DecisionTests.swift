import Testing
@testable import EdgeIO

/// The daemon's decisions as pure types on virtual time: no thread, no sleep.
@Suite("Decisions on virtual time")
struct DecisionTests {
    @Test func backoffDoublesToItsMaximumAndResets() {
        var backoff = RestartBackoff(initial: 0.5, maximum: 30)
        #expect((0..<9).map { _ in backoff.failed() } == [0.5, 1, 2, 4, 8, 16, 30, 30, 30])
        backoff.succeeded()
        #expect(backoff.failed() == 0.5)
        #expect(RestartBackoff(initial: 5, maximum: 1).maximum == 5)
    }

    @Test func silenceThenBytesThenResumed() {
        var liveness = ReceiverLiveness(silentAfter: 3, now: 100)
        #expect(liveness.nothingRead(at: 102.9) == nil)
        #expect(liveness.nothingRead(at: 103.2) == .silent(seconds: 3.2000000000000028))
        #expect(liveness.nothingRead(at: 110) == nil, "silence is said once")
        // Bytes come back: resumed, and the stall is timed from their return, not the last epoch.
        #expect(liveness.bytesRead(at: 111, completedEpoch: false) == [.resumed])
        #expect(liveness.bytesRead(at: 113.5, completedEpoch: false) == [])
        #expect(liveness.bytesRead(at: 114, completedEpoch: false) == [.stalled(seconds: 3)])
        #expect(liveness.bytesRead(at: 120, completedEpoch: false) == [], "a stall is said once")
        #expect(liveness.isStalled && !liveness.isSilent)
        #expect(liveness.bytesRead(at: 121, completedEpoch: true) == [.resumed])
        #expect(!liveness.isStalled)
        #expect(liveness.bytesRead(at: 123.9, completedEpoch: false) == [])
    }

    @Test func epochsKeepItAlive() {
        var liveness = ReceiverLiveness(silentAfter: 1, now: 0)
        for tenth in 1...100 {
            let now = Double(tenth) / 10
            #expect(liveness.bytesRead(at: now, completedEpoch: tenth % 5 == 0) == [], "at \(now)")
            #expect(liveness.nothingRead(at: now + 0.05) == nil)
        }
    }

    @Test func waitStopsEarlyAndUsesTheClock() {
        var now = 0.0, slept: [Double] = []
        wait(0.05, unless: { false }, clock: { now }, sleep: { slept.append($0); now += $0 })
        #expect(slept.count == 3 && (now - 0.05).magnitude < 1e-12)
        var calls = 0
        wait(10, unless: { calls += 1; return calls > 2 }, clock: { now }, sleep: { now += $0 })
        #expect(calls == 3)
    }
}
