internal import Metrics

/// What the client counts, through swift-metrics (the process chooses the backend; without one these cost nothing).
/// In-flight commands and readiness are read when metrics are scraped (`RedisClient.inFlight`, `isReady`).
///
/// Created once per client: a lookup in the metrics backend per command would cost more than the count. Without
/// names nothing is counted: a client reports only under names its builder chose.
struct RedisMetrics: Sendable {
    let commands: Counter?
    let reconnects: Counter?
    let errors: [RedisError.Code: Counter]

    init(names: RedisMetricNames?) {
        self.commands = names.map { Counter(label: $0.commands) }
        self.reconnects = names.map { Counter(label: $0.reconnects) }
        let counted: [RedisError.Code] = [
            .notConnected, .overloaded, .timeout, .connectionClosed, .protocolError, .shuttingDown, .crossSlot, .redirects,
        ]
        self.errors = Dictionary(
            uniqueKeysWithValues: counted.compactMap { code in
                guard let names, let kind = code.metricKind else { return nil }
                return (code, Counter(label: names.errors, dimensions: [("kind", kind)]))
            }
        )
    }

    /// Counts a command that got no reply; an error reply is an answer and is not counted.
    func count(_ error: RedisError) {
        self.errors[error.code]?.increment()
    }
}

extension RedisError.Code {
    /// A short name for the metrics, for the codes of a command that got no reply.
    var metricKind: String? {
        switch self {
        case .notConnected: "not_connected"
        case .overloaded: "overloaded"
        case .timeout: "timeout"
        case .connectionClosed: "connection_closed"
        case .protocolError: "protocol"
        case .shuttingDown: "shutting_down"
        case .crossSlot: "cross_slot"
        case .redirects: "redirects"
        case .invalidURL, .server: nil
        }
    }
}
