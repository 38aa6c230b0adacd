internal import Foundation

/// Where Redis is and how the client treats it. Every limit has a unit in its name and a default.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// ACL user name; `nil` authenticates with the password alone (`requirepass`).
    public var username: String?
    public var password: String?
    public var database: Int
    /// Sent as `CLIENT SETNAME`, so `CLIENT LIST` on the server shows who is connected.
    public var clientName: String
    /// Connections kept open; each carries many commands at once.
    public var poolSize: Int
    /// Commands sent and not yet answered, over all connections; past it a caller is refused at once.
    public var maxInFlight: Int
    public var connectTimeoutMilliseconds: Int
    /// A command with no reply after this long fails, and its connection is reset.
    public var commandTimeoutMilliseconds: Int
    /// The first reconnect waits about this long; each failure doubles it up to `reconnectMaxMilliseconds`.
    public var reconnectBaseMilliseconds: Int
    public var reconnectMaxMilliseconds: Int
    /// How long shutdown waits for commands in flight before closing the connections.
    public var drainTimeoutMilliseconds: Int
    /// Nodes of a Redis Cluster as `host:port`, any of them: the client reads the cluster's primaries from the first
    /// that answers, and `host`/`port` are not used. Empty for a standalone server.
    public var clusterSeeds: [String]
    /// How often the client reads a cluster's slot map again (it also does soon after any `MOVED`).
    public var clusterRefreshMilliseconds: Int
    /// How many times one command follows `MOVED`/`ASK` or is retried after `TRYAGAIN`/`CLUSTERDOWN`/`LOADING`.
    public var maxRedirects: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clientName: String = "usher",
        poolSize: Int = 2,
        maxInFlight: Int = 10_000,
        connectTimeoutMilliseconds: Int = 1_000,
        commandTimeoutMilliseconds: Int = 1_000,
        reconnectBaseMilliseconds: Int = 50,
        reconnectMaxMilliseconds: Int = 2_000,
        drainTimeoutMilliseconds: Int = 2_000,
        clusterSeeds: [String] = [],
        clusterRefreshMilliseconds: Int = 5_000,
        maxRedirects: Int = 5
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.poolSize = poolSize
        self.maxInFlight = maxInFlight
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
        self.reconnectBaseMilliseconds = reconnectBaseMilliseconds
        self.reconnectMaxMilliseconds = reconnectMaxMilliseconds
        self.drainTimeoutMilliseconds = drainTimeoutMilliseconds
        self.clusterSeeds = clusterSeeds
        self.clusterRefreshMilliseconds = clusterRefreshMilliseconds
        self.maxRedirects = maxRedirects
    }

    /// Takes host, port, credentials and database from `redis://[user:password@]host:port/db`; the rest stays.
    public mutating func apply(url text: String) throws(RedisError) {
        guard let components = URLComponents(string: text), components.scheme == "redis" else {
            throw .invalidURL(text, reason: "expected redis://[user:password@]host:port/db")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidURL(text, reason: "the host is missing")
        }
        self.host = host
        self.port = components.port ?? 6379
        // redis://:secret@host means a password without a user name.
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        self.username = (user?.isEmpty ?? true) ? nil : user
        self.password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.drop { $0 == "/" }
        if path.isEmpty {
            self.database = 0
        } else if let database = Int(path), database >= 0 {
            self.database = database
        } else {
            throw .invalidURL(text, reason: "the database must be a number, as in redis://host:6379/0")
        }
    }
}

extension RedisConfiguration {
    /// Checks a cluster's configuration: every seed is `host:port`, and the database is 0, a cluster's only one.
    public func validateCluster() throws(RedisError) {
        for seed in self.clusterSeeds where SlotMap.Node(seed) == nil {
            throw RedisError(.invalidURL, message: "invalid Redis Cluster node \(seed): expected host:port")
        }
        guard self.database == 0 else {
            throw RedisError(.invalidURL, message: "a Redis Cluster has only database 0, not \(self.database)")
        }
    }
}

extension RedisError {
    /// The message never repeats the password.
    static func invalidURL(_ url: String, reason: String) -> RedisError {
        var redacted = url
        if let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") {
            redacted = String(url[..<scheme.upperBound]) + "…" + String(url[at...])
        }
        return RedisError(.invalidURL, message: "invalid Redis URL \(redacted): \(reason)")
    }
}
