/// Why a command got no reply from Redis. A reply that Redis itself sent as an error is a `RedisServerError`.
public enum RedisClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection to Redis is up right now; the command was not sent.
    case notConnected
    /// The bound on commands in flight was reached; the command was not sent.
    case overloaded(limit: Int)
    /// No reply came within the command deadline; the connection was reset.
    case timeout
    /// The connection closed before the reply came; whether Redis ran the command is unknown.
    case connectionClosed
    /// Redis sent bytes that are not RESP; the connection was reset.
    case protocolError(String)
    /// The client is shutting down and takes no new commands.
    case shuttingDown

    public var description: String {
        switch self {
        case .notConnected: "not connected to Redis"
        case .overloaded(let limit): "too many Redis commands in flight (limit \(limit))"
        case .timeout: "Redis did not answer within the command deadline"
        case .connectionClosed: "the Redis connection closed before the reply arrived"
        case .protocolError(let detail): "Redis protocol error: \(detail)"
        case .shuttingDown: "the Redis client is shutting down"
        }
    }
}
