/// The measures the scripts write into the per-minute history besides the decision counts (`DecisionCount`),
/// defined once: `CapacityHistory` reads them by these names and every script names them as `H.samples` (see
/// `Script.expand`). A minute's field is `<queue>|<measure>`, summed as events happen.
enum HistoryMeasure: String, CaseIterable {
    /// How many samples of the gauges the minute holds: their means divide by it.
    case samples
    /// Gauges, summed once per sample: available agents, their slots, chats, holds and free slots, waiting chats.
    case agents, slots, chats, held, free, waiting
    /// Time from request to assignment of the chats served from a line, and how many.
    case waitMs, waitN
    /// Time from request to the agent's first response, and how many.
    case ttfrMs, ttfrN

    /// Sampled for the site itself (`*`) as for each queue; every other measure adds up from its queues.
    var isGauge: Bool {
        switch self {
        case .samples, .agents, .slots, .chats, .held, .free, .waiting: true
        case .waitMs, .waitN, .ttfrMs, .ttfrN: false
        }
    }
}
