/// A Lua script the client loads on every connection and runs by `EVALSHA`.
public struct RedisScript: Sendable, Hashable {
    /// A stable name, for logs and errors, and the client's key for the script's SHA: unique among a client's scripts.
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}
