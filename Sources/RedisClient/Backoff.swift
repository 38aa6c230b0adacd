/// Exponential backoff with full jitter: after failure n the wait is uniform in [0, min(max, base·2ⁿ)], so many
/// instances that lost Redis together do not come back in lockstep.
struct Backoff {
    let baseMilliseconds: Int
    let maxMilliseconds: Int
    private(set) var failures = 0

    init(baseMilliseconds: Int, maxMilliseconds: Int) {
        self.baseMilliseconds = max(1, baseMilliseconds)
        self.maxMilliseconds = max(self.baseMilliseconds, maxMilliseconds)
    }

    /// The ceiling of the next wait, before jitter.
    var ceilingMilliseconds: Int {
        let shift = min(self.failures, 20)
        return min(self.maxMilliseconds, self.baseMilliseconds << shift)
    }

    mutating func nextDelayMilliseconds<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        let ceiling = self.ceilingMilliseconds
        self.failures += 1
        return Int.random(in: 0...ceiling, using: &generator)
    }

    mutating func reset() {
        self.failures = 0
    }
}
