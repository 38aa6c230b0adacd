internal import Synchronization

/// Calls of one key that arrive while the key has as many calls with Redis as it may wait for one of them, then go
/// together as the next call: one script call, one prelude and one round trip for all of them. Nothing waits for a
/// timer: a call that finds room goes at once, alone, and under load the calls gather by themselves. Two calls in
/// flight rather than one keep a key's round trips overlapping, so that its items do not wait a whole round trip
/// behind a call that is itself waiting for Redis. A key's waiting items are bounded too: past them an item is refused
/// at once (`refusal`), since it would wait more calls than its caller should.
final class Batcher<Item: Sendable, Answer: Sendable>: Sendable {
    typealias Outcome = Result<Answer, CoreError>

    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    private enum Turn: Sendable {
        case answered(Outcome)
        /// Too many items of this key wait already.
        case refused
        /// Run the next call: this waiter's item, then these.
        case lead([Waiter])
    }

    private struct Lane {
        var inFlight = 1
        var waiting: [Waiter] = []
    }

    /// Per key with a call in flight, those calls and the items waiting; a key with no call in flight is absent, so
    /// the table holds only what is under way now.
    private let lanes = Mutex<[String: Lane]>([:])
    private let maxItems: Int
    private let maxInFlight: Int
    private let maxWaiting: Int

    init(maxItems: Int, maxInFlight: Int, maxWaiting: Int) {
        self.maxItems = max(1, maxItems)
        self.maxInFlight = max(1, maxInFlight)
        self.maxWaiting = max(0, maxWaiting)
    }

    /// The outcome of an item refused a place among those waiting.
    static var refusal: Outcome { .failure(.overloaded("too many polls of this site and token wait for Redis")) }

    /// `item`'s outcome. `decide` runs a call: the items in order, one outcome each in the same order. Whoever
    /// leads a call runs it with its own `decide`, so `decide` must depend on nothing but the key, and must finish
    /// even if the leading task is cancelled (the items of others ride on it).
    func submit(_ item: Item, key: String, decide: ([Item]) async -> [Outcome]) async -> Outcome {
        let others: [Waiter]
        if self.lanes.withLock({ self.enter(key, &$0) }) {
            others = []
        } else {
            let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                // A call may have ended since the look above.
                let turn: Turn? = self.lanes.withLock { lanes in
                    if self.enter(key, &lanes) { return .lead([]) }
                    guard lanes[key]!.waiting.count < self.maxWaiting else { return .refused }
                    lanes[key]!.waiting.append(Waiter(item: item, continuation: continuation))
                    return nil
                }
                if let turn { continuation.resume(returning: turn) }
            }
            switch turn {
            case .answered(let outcome): return outcome
            case .refused: return Self.refusal
            case .lead(let waiting): others = waiting
            }
        }
        var outcomes = await decide([item] + others.map(\.item))
        if outcomes.count != others.count + 1 {
            outcomes = Array(repeating: .failure(.unavailable("\(outcomes.count) outcomes for \(others.count + 1) items")), count: others.count + 1)
        }
        self.handOff(key)
        for (waiter, outcome) in zip(others, outcomes.dropFirst()) {
            waiter.continuation.resume(returning: .answered(outcome))
        }
        return outcomes[0]
    }

    /// How many items wait for a call of `key`.
    func waiting(_ key: String) -> Int {
        self.lanes.withLock { $0[key]?.waiting.count ?? 0 }
    }

    /// Starts a call of `key` if it has room for one.
    private func enter(_ key: String, _ lanes: inout [String: Lane]) -> Bool {
        guard let lane = lanes[key] else {
            lanes[key] = Lane()
            return true
        }
        guard lane.inFlight < self.maxInFlight else { return false }
        lanes[key]!.inFlight += 1
        return true
    }

    /// A call of `key` ended: the next goes to the first of those waiting, with as many more as one call takes.
    private func handOff(_ key: String) {
        let next: [Waiter]? = self.lanes.withLock { lanes in
            guard let lane = lanes[key] else { return nil }
            guard !lane.waiting.isEmpty else {
                lanes[key] = lane.inFlight > 1 ? Lane(inFlight: lane.inFlight - 1) : nil
                return nil
            }
            lanes[key]!.waiting = Array(lane.waiting.dropFirst(self.maxItems))
            return Array(lane.waiting.prefix(self.maxItems))
        }
        guard let next, let first = next.first else { return }
        first.continuation.resume(returning: .lead(Array(next.dropFirst())))
    }
}
