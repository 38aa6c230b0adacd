import Foundation
import Testing
import UsherCore

/// A deterministic simulation of one queue: `slots` servers, every slot busy at the start, chats queued behind them,
/// each served in line order by the next slot to free up. Handle times come from `handle(i)` for the i-th chat taken.
private struct SimulatedQueue {
    let slots: Int
    let handle: (Int) -> Double

    /// The actual wait of each queued chat (position 1…n), in seconds, and the estimate it was given when it joined.
    func run(queued: Int, busyUntil: [Double], estimateHandle: Double) -> [(actual: Double, estimate: Double)] {
        var free = busyUntil
        var results: [(Double, Double)] = []
        for position in 1...queued {
            let index = free.indices.min { free[$0] < free[$1] }!
            let start = free[index]
            free[index] = start + self.handle(position)
            let inputs = WaitInputs(servingSlots: self.slots, handleMilliseconds: estimateHandle * 1_000, firstResponseMilliseconds: 0)
            results.append((start, Double(WaitEstimator.seconds(position: position, inputs: inputs)!)))
        }
        return results
    }
}

/// A seeded generator, so the exponential simulation gives the same answer on every run.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("wait estimates")
struct WaitEstimateTests {
    @Test("the estimate is p·H/c plus the first-response time, rounded up; none without serving slots")
    func formula() {
        let inputs = WaitInputs(servingSlots: 4, handleMilliseconds: 240_000, firstResponseMilliseconds: 15_500)
        #expect(WaitEstimator.seconds(position: 1, inputs: inputs) == 76)
        #expect(WaitEstimator.seconds(position: 8, inputs: inputs) == 496)
        #expect(WaitEstimator.seconds(position: 1, inputs: WaitInputs(servingSlots: 0, handleMilliseconds: 1, firstResponseMilliseconds: 0)) == nil)
        #expect(WaitEstimator.median([3, 1, 2]) == 2)
        #expect(WaitEstimator.median([4, 1, 3, 2]) == 2.5)
        #expect(WaitEstimator.median([]) == nil)
    }

    @Test("fixed handle times: the median absolute error has its known value, 0.375 of a handle time for 4 slots")
    func deterministicQueue() {
        // 4 slots all starting a 240 s chat at 0; 8 chats queued. Position p is taken at ⌈p/4⌉·240 s and told p·60 s,
        // so the errors are 180, 120, 60, 0 twice over: median 90 s = 0.375 × 240 s.
        let queue = SimulatedQueue(slots: 4, handle: { _ in 240 })
        let results = queue.run(queued: 8, busyUntil: [240, 240, 240, 240], estimateHandle: 240)
        #expect(results.map(\.actual) == [240, 240, 240, 240, 480, 480, 480, 480])
        let errors = results.map { abs($0.estimate - $0.actual) }
        #expect(WaitEstimator.median(errors) == 90)
    }

    @Test("exponential handle times: the estimate is unbiased over many seeded runs, with a known median error")
    func exponentialQueue() {
        // Erlang C's setting: memoryless handle times with mean 300 s on 6 slots, the line 12 deep. Averaged over many
        // runs the actual wait of each position approaches its estimate p·300/6.
        var random = SplitMix(state: 42)
        let slots = 6
        let mean = 300.0
        var errors: [Double] = []
        var signed: [Double] = []
        for _ in 0..<10_000 {
            var draws: [Double] = []
            for _ in 0..<(slots + 12) { draws.append(-mean * log(1 - Double.random(in: 0..<1, using: &random))) }
            // Every slot busy with a chat whose remaining time is again exponential (the memoryless property).
            let busy = Array(draws.prefix(slots))
            let handles = Array(draws.dropFirst(slots))
            let queue = SimulatedQueue(slots: slots, handle: { handles[$0 - 1] })
            for result in queue.run(queued: 12, busyUntil: busy, estimateHandle: mean) {
                errors.append(abs(result.estimate - result.actual))
                signed.append(result.estimate - result.actual)
            }
        }
        let bias = signed.reduce(0, +) / Double(signed.count)
        let median = WaitEstimator.median(errors)!
        // Rounding up to whole seconds adds under a second of bias; the rest is sampling noise over 120,000 waits (about 1.5 s).
        #expect(abs(bias) < 3, "bias \(bias) s")
        // The known answer: position p is taken at the p-th of departures at rate 6/300 s, a Gamma(p, 50 s) time, so the
        // median of |Gamma(p, 50) − 50·p| over p = 1…12 is 73.28 s (solved numerically from the Gamma distribution).
        #expect(abs(median - 73.28) < 1.5, "median absolute error \(median) s")
        print("wait estimate on the simulated M/M/6 queue: bias \(bias) s, median absolute error \(median) s of waits up to 600 s")
    }
}
