/// What a queue's wait estimate is made of at one instant, as the scripts measure it.
public struct WaitInputs: Sendable, Equatable, Codable {
    /// The slots of the agents now offering in the queue: its servers.
    public let servingSlots: Int
    /// Decaying average time a chat holds its slot, assignment to end (`averageHandleSeconds` until measured).
    public let handleMilliseconds: Double
    /// Decaying average time from assignment to the agent's first response (0 until measured).
    public let firstResponseMilliseconds: Double

    public init(servingSlots: Int, handleMilliseconds: Double, firstResponseMilliseconds: Double) {
        self.servingSlots = servingSlots
        self.handleMilliseconds = handleMilliseconds
        self.firstResponseMilliseconds = firstResponseMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case servingSlots = "slots"
        case handleMilliseconds = "handleMs"
        case firstResponseMilliseconds = "firstResponseMs"
    }
}

/// How long a visitor in line waits until an agent first answers.
///
/// The model is Erlang C's conditional wait, with every slot a server: while a line exists all `c` serving slots are
/// busy, and each frees after a handle time `H` on average, so slots free up at a rate of `c / H`. The chat at
/// position `p` is taken at the `p`-th freed slot, after `p·H/c` on average, and then waits the agent's first-response
/// time `F`. Agents holding several chats are `maxChats` servers each; their slowdown under concurrency is already
/// in `H`, which is measured under it.
public enum WaitEstimator {
    /// Whole seconds, rounded up; nil when nobody serves the queue, since no wait can honestly be promised.
    public static func seconds(position: Int, inputs: WaitInputs) -> Int? {
        guard inputs.servingSlots > 0, position > 0 else { return nil }
        let milliseconds =
            Double(position) * inputs.handleMilliseconds / Double(inputs.servingSlots) + inputs.firstResponseMilliseconds
        return Int((milliseconds / 1_000).rounded(.up))
    }

    /// The middle of the values (the mean of the two middle ones for an even count); nil for none.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
