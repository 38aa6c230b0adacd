/// Every error of the client, with a code to switch on and a message for people.
///
/// Either a command got no reply (the code says why, and whether Redis may have run it), or Redis answered with an
/// error reply (`server`, carrying the reply's leading word: `ERR`, `NOSCRIPT`, `BUSY`, `WRONGTYPE`, or a script's own
/// such as `USHER`).
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// No connection to Redis is up right now; the command was not sent.
        case notConnected
        /// The bound on commands in flight was reached; the command was not sent.
        case overloaded
        /// No reply came within the command deadline; the connection was reset. Whether Redis ran it is unknown.
        case timeout
        /// The connection closed before the reply came; whether Redis ran the command is unknown.
        case connectionClosed
        /// Redis sent bytes that are not RESP; the connection was reset.
        case protocolError
        /// The client is shutting down and takes no new commands.
        case shuttingDown
        /// A Redis URL that could not be read.
        case invalidURL
        /// A command or pipeline whose keys lie in more than one cluster slot; it was not sent.
        case crossSlot
        /// A cluster's redirections (`MOVED`, `ASK`) or retries (`TRYAGAIN`, `CLUSTERDOWN`) went past their bound;
        /// the command's last answer said it did not run.
        case redirects
        /// Redis answered with an error reply; the value is the reply's first word.
        case server(String)
    }

    public let code: Code
    /// What went wrong; for an error reply, the reply's text after its code.
    public let message: String

    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// An error reply as Redis sends it: its code, a space and the rest.
    public init(reply: String) {
        if let space = reply.firstIndex(of: " ") {
            self.init(.server(String(reply[..<space])), message: String(reply[reply.index(after: space)...]))
        } else {
            self.init(.server(reply), message: "")
        }
    }

    public var description: String {
        guard case .server(let code) = self.code else { return self.message }
        return self.message.isEmpty ? code : "\(code) \(self.message)"
    }

    public static let notConnected = RedisError(.notConnected, message: "not connected to Redis")
    public static let timeout = RedisError(.timeout, message: "Redis did not answer within the command deadline")
    public static let connectionClosed = RedisError(.connectionClosed, message: "the Redis connection closed before the reply arrived")
    public static let shuttingDown = RedisError(.shuttingDown, message: "the Redis client is shutting down")

    public static func overloaded(limit: Int) -> RedisError {
        RedisError(.overloaded, message: "too many Redis commands in flight (limit \(limit))")
    }

    public static func protocolError(_ detail: String) -> RedisError {
        RedisError(.protocolError, message: "Redis protocol error: \(detail)")
    }
}
