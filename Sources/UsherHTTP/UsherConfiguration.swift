public import Logging
public import RedisClient
public import UsherCore

/// Everything the HTTP application needs, read once at start-up (from flags and environment: see `Setting`).
public struct UsherConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The root admin token; `nil` leaves the admin API closed.
    public var adminToken: String?
    public var redis: RedisConfiguration
    public var broker: BrokerConfiguration
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes: Int
    /// Site API requests this instance answers at once; past it a poll is withheld (`unavailable`) and any other
    /// request gets 503, both with `Retry-After`, at once instead of queueing behind the others.
    public var maxRequestsInFlight: Int
    /// A connection is closed by the server after this long without a request part arriving while it has no
    /// response to write: between kept-alive requests, before the first, and while a request head is coming in (a
    /// head counts only once whole, so a client that sends nothing or its headers a byte at a time holds a
    /// connection this long at most). Each body chunk restarts the clock, so `requestReadTimeoutSeconds` bounds a
    /// dripped body; bodies are bounded by `maxBodyBytes`.
    /// A response being written, such as a capacity stream, is never cut.
    public var idleTimeoutSeconds: Int
    /// A request must arrive whole, from the first byte of its head to the end of its body, within this long, or it
    /// is answered 408 (when no answer to it has begun) and its connection closed, freeing what it buffered. Only the
    /// arrival is timed: the wait for the next request is the idle timeout's, and responses are never cut.
    public var requestReadTimeoutSeconds: Int
    public var retry: RetryAdvice
    public var observation: ObservationConfiguration
    /// Peers whose `X-Forwarded-For` names the client (the load balancers in front of Usher); nobody else's is read.
    public var trustedProxies: [String]
    public var logLevel: Logger.Level

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        adminToken: String? = nil,
        redis: RedisConfiguration = RedisConfiguration(),
        broker: BrokerConfiguration = BrokerConfiguration(),
        maxBodyBytes: Int = 16_384,
        maxRequestsInFlight: Int = 4_096,
        idleTimeoutSeconds: Int = 65,
        requestReadTimeoutSeconds: Int = 30,
        retry: RetryAdvice = RetryAdvice(),
        observation: ObservationConfiguration = ObservationConfiguration(),
        trustedProxies: [String] = [],
        logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.adminToken = adminToken
        self.redis = redis
        self.broker = broker
        self.maxBodyBytes = maxBodyBytes
        self.maxRequestsInFlight = maxRequestsInFlight
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.requestReadTimeoutSeconds = requestReadTimeoutSeconds
        self.retry = retry
        self.observation = observation
        self.trustedProxies = trustedProxies
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

/// Metrics, the sampler behind them and the history, the live capacity feed, and CORS for websites.
public struct ObservationConfiguration: Sendable {
    /// Serve `/metrics` on this port only, without a token (so the port must not be public); nil serves it on the
    /// API's port, where it needs `metricsToken` or the admin token.
    public var metricsPort: Int?
    /// The bearer token Prometheus scrapes `/metrics` on the API's port with; nil leaves only the admin token, and
    /// with no admin token either `/metrics` on the API's port is closed.
    public var metricsToken: String?
    /// How often each site is sampled from Redis for the gauges and the history.
    public var sampleIntervalMilliseconds: Int
    /// Sites sampled and reported at most (in name order): bounds the metrics' label sets, with the broker's cap
    /// on queues per site.
    public var maxSampledSites: Int
    /// The capacity of a site with open streams is read this often (once for all its streams on this instance), and
    /// each stream sends a heartbeat comment after this long quiet.
    public var streamIntervalMilliseconds: Int
    public var streamHeartbeatSeconds: Int
    /// A stream ends after this long (clients reconnect, which spreads them over instances); and at most this many
    /// streams are open on one instance.
    public var streamMaxSeconds: Int
    public var maxStreams: Int
    /// A stream checks this often that its caller may still read the site (the site's one reader reads as the root
    /// admin), so a revoked token's stream ends within this and an interval.
    public var streamRecheckSeconds: Int
    /// Points one history answer holds at most.
    public var historyMaxPoints: Int
    /// How long an instance trusts a site's allowed origins before reading them again, and for how many sites.
    public var corsCacheSeconds: Int
    public var corsCacheSites: Int

    public init(
        metricsPort: Int? = nil,
        metricsToken: String? = nil,
        sampleIntervalMilliseconds: Int = 5_000,
        maxSampledSites: Int = 500,
        streamIntervalMilliseconds: Int = 250,
        streamHeartbeatSeconds: Int = 15,
        streamMaxSeconds: Int = 3_600,
        maxStreams: Int = 100,
        streamRecheckSeconds: Int = 1,
        historyMaxPoints: Int = 2_000,
        corsCacheSeconds: Int = 5,
        corsCacheSites: Int = 10_000
    ) {
        self.metricsPort = metricsPort
        self.metricsToken = metricsToken
        self.sampleIntervalMilliseconds = sampleIntervalMilliseconds
        self.maxSampledSites = maxSampledSites
        self.streamIntervalMilliseconds = streamIntervalMilliseconds
        self.streamHeartbeatSeconds = streamHeartbeatSeconds
        self.streamMaxSeconds = streamMaxSeconds
        self.maxStreams = maxStreams
        self.streamRecheckSeconds = streamRecheckSeconds
        self.historyMaxPoints = historyMaxPoints
        self.corsCacheSeconds = corsCacheSeconds
        self.corsCacheSites = corsCacheSites
    }
}
