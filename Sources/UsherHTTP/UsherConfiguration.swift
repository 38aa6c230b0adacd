public import Logging
public import RedisClient
public import UsherCore

/// Everything the HTTP application needs, read once at start-up (see the executable's configuration loader).
public struct UsherConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The root admin token; `nil` leaves the admin API closed.
    public var adminToken: String?
    public var redis: RedisConfiguration
    public var broker: BrokerConfiguration
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes: Int
    public var retry: RetryAdvice
    public var logLevel: Logger.Level

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        adminToken: String? = nil,
        redis: RedisConfiguration = RedisConfiguration(),
        broker: BrokerConfiguration = BrokerConfiguration(),
        maxBodyBytes: Int = 16_384,
        retry: RetryAdvice = RetryAdvice(),
        logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.adminToken = adminToken
        self.redis = redis
        self.broker = broker
        self.maxBodyBytes = maxBodyBytes
        self.retry = retry
        self.logLevel = logLevel
    }
}

/// The `Retry-After` Usher advises when it cannot answer from a site's settings.
public struct RetryAdvice: Sendable {
    /// While Redis is unreachable: polls are withheld and other calls get 503, both with this.
    public var unavailableSeconds: Int
    /// When a queue's waiting line is full (429).
    public var lineFullSeconds: Int

    public init(unavailableSeconds: Int = 5, lineFullSeconds: Int = 60) {
        self.unavailableSeconds = unavailableSeconds
        self.lineFullSeconds = lineFullSeconds
    }
}
