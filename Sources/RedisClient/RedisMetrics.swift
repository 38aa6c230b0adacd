internal import Metrics

/// What the client counts, through swift-metrics (the process chooses the backend; without one these cost nothing).
/// In-flight commands and readiness are read when metrics are scraped (`RedisClient.inFlight`, `isReady`).
public enum RedisMetrics {
    public static let commands = "usher_redis_commands_total"
    public static let errors = "usher_redis_errors_total"
    public static let reconnects = "usher_redis_reconnects_total"

    /// Created once per client: a lookup in the metrics backend per command would cost more than the count.
    struct Handles: Sendable {
        let commands = Counter(label: RedisMetrics.commands)
        let reconnects = Counter(label: RedisMetrics.reconnects)
        let errors: [String: Counter] = Dictionary(
            uniqueKeysWithValues: ["not_connected", "overloaded", "timeout", "connection_closed", "protocol", "shutting_down"].map {
                ($0, Counter(label: RedisMetrics.errors, dimensions: [("kind", $0)]))
            }
        )

        func count(_ error: any Error) {
            guard let error = error as? RedisClientError else { return }
            self.errors[error.kind]?.increment()
        }
    }
}

extension RedisClientError {
    /// A short name for the metrics.
    var kind: String {
        switch self {
        case .notConnected: "not_connected"
        case .overloaded: "overloaded"
        case .timeout: "timeout"
        case .connectionClosed: "connection_closed"
        case .protocolError: "protocol"
        case .shuttingDown: "shutting_down"
        }
    }
}
