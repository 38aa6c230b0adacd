internal import Synchronization

/// Calls of one key that arrive while an earlier call of that key is with Redis wait for it, then go together as the
/// next call: one script call, one prelude and one round trip for all of them. Nothing waits for a timer: a call
/// that finds its key idle goes at once, alone, and under load the calls gather by themselves. With at most one call
/// in flight per key, the items of a key are decided in the order they arrived.
final class Batcher<Item: Sendable, Answer: Sendable>: Sendable {
    typealias Outcome = Result<Answer, CoreError>

    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    private enum Turn: Sendable {
        case answered(Outcome)
        /// Run the next call: this waiter's item, then these.
        case lead([Waiter])
    }

    /// Per key with a call in flight, the items waiting for it (maybe none); a key with no call in flight is absent,
    /// so the table holds only what is waiting now.
    private let lanes = Mutex<[String: [Waiter]]>([:])
    private let maxItems: Int

    init(maxItems: Int) {
        self.maxItems = max(1, maxItems)
    }

    /// `item`'s outcome. `decide` runs a call: the items in order, one outcome each in the same order. Whoever
    /// leads a call runs it with its own `decide`, so `decide` must depend on nothing but the key, and must finish
    /// even if the leading task is cancelled (the items of others ride on it).
    func submit(_ item: Item, key: String, decide: ([Item]) async -> [Outcome]) async -> Outcome {
        let leads = self.lanes.withLock { lanes in
            guard lanes[key] == nil else { return false }
            lanes[key] = []
            return true
        }
        let others: [Waiter]
        if leads {
            others = []
        } else {
            let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                // The call in flight may have ended since the look above.
                let leadsNow = self.lanes.withLock { lanes in
                    guard lanes[key] != nil else {
                        lanes[key] = []
                        return true
                    }
                    lanes[key]!.append(Waiter(item: item, continuation: continuation))
                    return false
                }
                if leadsNow { continuation.resume(returning: .lead([])) }
            }
            switch turn {
            case .answered(let outcome): return outcome
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

    /// How many items wait for `key`'s call in flight.
    func waiting(_ key: String) -> Int {
        self.lanes.withLock { $0[key]?.count ?? 0 }
    }

    /// The next call of `key` goes to the first of those waiting, with as many more as one call takes.
    private func handOff(_ key: String) {
        let next: [Waiter]? = self.lanes.withLock { lanes in
            guard let waiting = lanes[key], !waiting.isEmpty else {
                lanes[key] = nil
                return nil
            }
            lanes[key] = Array(waiting.dropFirst(self.maxItems))
            return Array(waiting.prefix(self.maxItems))
        }
        guard let next, let first = next.first else { return }
        first.continuation.resume(returning: .lead(Array(next.dropFirst())))
    }
}
