/// Every setting of `usher serve` (and the Redis and core ones of `usher reconcile`), declared once: its flag is
/// the raw value, its environment variable follows from the flag, and its definition below says how its text is
/// read, where the value goes and what it means. The default is the value a `LaunchConfiguration()` starts with, so
/// it lives in the configuration structs' initializers, which tests call too. The flags' help, the environment
/// lookup, the range checks and the README's table are all made from this.
public enum Setting: String, CaseIterable, Sendable {
    /// `usher serve` reads every setting; `usher reconcile` the Redis and core ones.
    public enum Group: Sendable {
        case serve, redis, core
    }

    case host
    case port
    case redisURL = "redis-url"
    case redisCluster = "redis-cluster"
    case redisClusterRefreshMs = "redis-cluster-refresh-ms"
    case redisMaxRedirects = "redis-max-redirects"
    case adminToken = "admin-token"
    case redisPoolSize = "redis-pool-size"
    case redisMaxInFlight = "redis-max-in-flight"
    case redisConnectTimeoutMs = "redis-connect-timeout-ms"
    case redisCommandTimeoutMs = "redis-command-timeout-ms"
    case redisReconnectBaseMs = "redis-reconnect-base-ms"
    case redisReconnectMaxMs = "redis-reconnect-max-ms"
    case redisDrainTimeoutMs = "redis-drain-timeout-ms"
    case redisServer = "redis-server"
    case dataDir = "data-dir"
    case maxBodyBytes = "max-body-bytes"
    case maxRequestsInFlight = "max-requests-in-flight"
    case idleTimeoutSeconds = "idle-timeout-seconds"
    case requestReadTimeoutSeconds = "request-read-timeout-seconds"
    case unavailableRetrySeconds = "unavailable-retry-seconds"
    case lineFullRetrySeconds = "line-full-retry-seconds"
    case sweepLimit = "sweep-limit"
    case retentionSeconds = "retention-seconds"
    case maxCannedMessages = "max-canned-messages"
    case maxTemplateCharacters = "max-template-characters"
    case cannedCacheSites = "canned-cache-sites"
    case estimateHalfLifeSamples = "estimate-half-life-samples"
    case estimateErrorSamples = "estimate-error-samples"
    case hoursHorizonDays = "hours-horizon-days"
    case historyRetentionSeconds = "history-retention-seconds"
    case historyFoldMinutes = "history-fold-minutes"
    case capacityListedAgents = "capacity-listed-agents"
    case capacityCorrectedAgents = "capacity-corrected-agents"
    case metricsPort = "metrics-port"
    case metricsToken = "metrics-token"
    case sampleIntervalMs = "sample-interval-ms"
    case maxSampledSites = "max-sampled-sites"
    case maxQueuesPerSite = "max-queues-per-site"
    case maxAgentsPerSite = "max-agents-per-site"
    case maxTokensPerSite = "max-tokens-per-site"
    case maxSupersededSessions = "max-superseded-sessions"
    case maxRetainedPerSite = "max-retained-per-site"
    case sweepIntervalMs = "sweep-interval-ms"
    case sweepConcurrency = "sweep-concurrency"
    case pollBatchMax = "poll-batch-max"
    case pollCallsInFlight = "poll-calls-in-flight"
    case pollWaitingMax = "poll-waiting-max"
    case trustedProxies = "trusted-proxies"
    case streamIntervalMs = "stream-interval-ms"
    case streamHeartbeatSeconds = "stream-heartbeat-seconds"
    case streamMaxSeconds = "stream-max-seconds"
    case maxStreams = "max-streams"
    case streamRecheckSeconds = "stream-recheck-seconds"
    case historyMaxPoints = "history-max-points"
    case corsCacheSeconds = "cors-cache-seconds"
    case corsCacheSites = "cors-cache-sites"
    case logLevel = "log-level"

    /// The commands that read the setting, how its text is read and where its value goes, and the sentence that
    /// says what it does.
    var definition: (group: Group, kind: Kind, meaning: String) {
        switch self {
        case .host: (.serve, .text(\.usher.host), "Address to listen on.")
        case .port: (.serve, .number(\.usher.port, 0...65_535), "Port to listen on.")
        case .redisURL:
            (
                .redis, .optionalText(\.redisURL, none: "serve starts a private redis-server, reconcile refuses to run"),
                "Redis to use, redis://[user:password@]host:port/db; percent-encode special characters."
            )
        case .redisCluster:
            (
                .redis, .list(\.usher.redis.clusterSeeds),
                "A Redis Cluster to use: comma-separated host:port of any of its nodes (--redis-url then gives only credentials)."
            )
        case .redisClusterRefreshMs:
            (
                .redis, .number(\.usher.redis.clusterRefreshMilliseconds, 100...600_000),
                "How often the cluster's slot map is read again, in ms (also soon after any MOVED)."
            )
        case .redisMaxRedirects:
            (
                .redis, .number(\.usher.redis.maxRedirects, 0...100),
                "Times one Redis command follows MOVED/ASK or is retried after TRYAGAIN, CLUSTERDOWN or LOADING."
            )
        case .adminToken: (.serve, .optionalText(\.usher.adminToken, none: "the admin API is closed"), "The root admin bearer token.")
        case .redisPoolSize: (.redis, .number(\.usher.redis.poolSize, 1...64), "Redis connections kept open; each carries many commands at once.")
        case .redisMaxInFlight:
            (.redis, .number(\.usher.redis.maxInFlight, 1...1_000_000), "Redis commands awaiting replies before new ones are refused at once.")
        case .redisConnectTimeoutMs: (.redis, .number(\.usher.redis.connectTimeoutMilliseconds, 1...60_000), "Redis connect timeout in ms.")
        case .redisCommandTimeoutMs:
            (
                .redis, .number(\.usher.redis.commandTimeoutMilliseconds, 1...60_000),
                "Deadline of one Redis command in ms; past it the connection is reset."
            )
        case .redisReconnectBaseMs:
            (
                .redis, .number(\.usher.redis.reconnectBaseMilliseconds, 1...60_000),
                "First Redis reconnect delay in ms, doubled per failure, with full jitter."
            )
        case .redisReconnectMaxMs: (.redis, .number(\.usher.redis.reconnectMaxMilliseconds, 1...300_000), "Longest Redis reconnect delay in ms.")
        case .redisDrainTimeoutMs:
            (.redis, .number(\.usher.redis.drainTimeoutMilliseconds, 0...60_000), "How long shutdown waits for Redis commands in flight, in ms.")
        case .redisServer: (.serve, .text(\.redisServer), "The redis-server binary started when no Redis URL is set.")
        case .dataDir: (.serve, .text(\.dataDirectory), "Data directory of the private redis-server.")
        case .maxBodyBytes: (.serve, .number(\.usher.maxBodyBytes, 1_024...1_048_576), "Largest request body in bytes; a larger one gets 413.")
        case .maxRequestsInFlight:
            (
                .serve, .number(\.usher.maxRequestsInFlight, 1...1_000_000),
                "Site API requests answered at once; past it polls are withheld (unavailable) and the rest get 503, with Retry-After."
            )
        case .idleTimeoutSeconds:
            (
                .serve, .number(\.usher.idleTimeoutSeconds, 1...3_600),
                "Seconds a connection may sit idle or take to send a request head before it is closed."
            )
        case .requestReadTimeoutSeconds:
            (
                .serve, .number(\.usher.requestReadTimeoutSeconds, 1...3_600),
                "Seconds a request may take from its first byte to the end of its body, else 408 and its connection closed."
            )
        case .unavailableRetrySeconds:
            (.serve, .number(\.usher.retry.unavailableSeconds, 1...3_600), "retryAfterSeconds and Retry-After while Redis is unreachable.")
        case .lineFullRetrySeconds: (.serve, .number(\.usher.retry.lineFullSeconds, 1...3_600), "Retry-After of a 429 for a full waiting line.")
        case .sweepLimit:
            (
                .core, .number(\.usher.broker.sweepLimit, 1...1_000),
                "Lapsed heartbeats, due orphans and waits past their time swept per decision at most (due holds all go)."
            )
        case .retentionSeconds:
            (.core, .number(\.usher.broker.retentionSeconds, 60...2_592_000), "Seconds resolved invitations and ended chats stay readable.")
        case .maxCannedMessages: (.core, .number(\.usher.broker.maxCannedMessages, 1...10_000), "Canned messages per site.")
        case .maxTemplateCharacters:
            (.core, .number(\.usher.broker.maxTemplateCharacters, 1...100_000), "Characters of one canned message's template.")
        case .cannedCacheSites:
            (.core, .number(\.usher.broker.cannedCacheSites, 1...1_000_000), "Sites whose parsed canned messages one instance keeps in memory.")
        case .estimateHalfLifeSamples:
            (
                .core, .number(\.usher.broker.estimateHalfLifeSamples, 1...10_000),
                "Newer samples after which a handle or first-response time counts half in its queue's average."
            )
        case .estimateErrorSamples:
            (.core, .number(\.usher.broker.estimateErrorSamples, 1...10_000), "Recent waits per queue kept to measure the wait estimates' error.")
        case .hoursHorizonDays:
            (
                .core, .number(\.usher.broker.hoursHorizonDays, 2...366),
                "Days ahead business hours are compiled; the first decision past them compiles them again."
            )
        case .historyRetentionSeconds:
            (.core, .number(\.usher.broker.historyRetentionSeconds, 0...31_536_000), "Seconds the per-minute capacity history is kept; 0 keeps none.")
        case .historyFoldMinutes:
            (
                .core, .number(\.usher.broker.historyFoldMinutes, 1...10_000),
                "Finished minutes of history one capacity sample folds into ten-minute sums at most (long periods read those)."
            )
        case .capacityCorrectedAgents:
            (
                .core, .number(\.usher.broker.capacityCorrectedAgents, 0...100_000),
                "Agents past their heartbeat but not yet swept that one capacity view counts as they are now (the rest as they were)."
            )
        case .capacityListedAgents:
            (
                .core, .number(\.usher.broker.capacityListedAgents, 0...100_000),
                "Agents the capacity view (and the dashboard) lists by name with status and load."
            )
        case .metricsPort:
            (
                .serve, .optionalNumber(\.usher.observation.metricsPort, 1...65_535, none: "/metrics on the API's port"),
                "Serve /metrics on this port only, without a token (keep it private), and not on the API's port."
            )
        case .metricsToken:
            (
                .serve, .optionalText(\.usher.observation.metricsToken, none: "only the admin token"),
                "Bearer token for /metrics on the API's port, as is the admin token; with neither it is closed."
            )
        case .sampleIntervalMs:
            (
                .serve, .number(\.usher.observation.sampleIntervalMilliseconds, 100...600_000),
                "Milliseconds between samples of every site for the metrics' gauges and the history."
            )
        case .maxSampledSites:
            (.serve, .number(\.usher.observation.maxSampledSites, 1...100_000), "Sites sampled and reported in metrics at most, in name order.")
        case .maxQueuesPerSite:
            (
                .core, .number(\.usher.broker.maxQueuesPerSite, 1...10_000),
                "Queues per site (configured or served by agents); also bounds what metrics report."
            )
        case .maxAgentsPerSite: (.core, .number(\.usher.broker.maxAgentsPerSite, 1...1_000_000), "Agents per site.")
        case .maxTokensPerSite: (.core, .number(\.usher.broker.maxTokensPerSite, 1...10_000_000), "Tokens per site.")
        case .maxSupersededSessions:
            (
                .core, .number(\.usher.broker.maxSupersededSessions, 1...100_000),
                "Superseded sessions each agent remembers, so that none takes over again."
            )
        case .maxRetainedPerSite:
            (
                .core, .number(\.usher.broker.maxRetainedPerSite, 1...100_000_000),
                "Resolved invitations and ended chats kept readable per site; the oldest go first."
            )
        case .sweepIntervalMs:
            (
                .core, .number(\.usher.broker.sweepIntervalMilliseconds, 100...600_000),
                "Milliseconds between background sweeps of every site's deadlines."
            )
        case .sweepConcurrency: (.core, .number(\.usher.broker.sweepConcurrency, 1...1_000), "Sites the background sweeper sweeps at once.")
        case .pollBatchMax:
            (
                .core, .number(\.usher.broker.pollBatchMax, 1...1_000),
                "Website polls of one site and token decided in one script call at most (those arriving while one runs go in the next)."
            )
        case .pollCallsInFlight:
            (
                .core, .number(\.usher.broker.pollCallsInFlight, 1...64),
                "Script calls of one site and token's polls in flight at once; polls arriving when all are wait and go together."
            )
        case .pollWaitingMax:
            (
                .core, .number(\.usher.broker.pollWaitingMax, 0...100_000),
                "Website polls of one site and token waiting for a script call at most; past them a poll is withheld as unavailable."
            )
        case .trustedProxies:
            (.serve, .list(\.usher.trustedProxies), "Comma-separated addresses of the proxies whose X-Forwarded-For names the client.")
        case .streamIntervalMs:
            (
                .serve, .number(\.usher.observation.streamIntervalMilliseconds, 50...60_000),
                "Milliseconds between reads of a site's capacity for its streams (one read for all of them) and checks for changes."
            )
        case .streamHeartbeatSeconds:
            (
                .serve, .number(\.usher.observation.streamHeartbeatSeconds, 1...3_600),
                "Seconds of quiet after which a capacity stream sends a heartbeat comment."
            )
        case .streamMaxSeconds:
            (.serve, .number(\.usher.observation.streamMaxSeconds, 10...86_400), "Seconds after which a capacity stream ends; clients reconnect.")
        case .maxStreams: (.serve, .number(\.usher.observation.maxStreams, 1...100_000), "Capacity streams open on one instance at most.")
        case .streamRecheckSeconds:
            (
                .serve, .number(\.usher.observation.streamRecheckSeconds, 1...3_600),
                "Seconds between checks that a capacity stream's token is still accepted; a revoked token's stream ends within them."
            )
        case .historyMaxPoints: (.serve, .number(\.usher.observation.historyMaxPoints, 10...1_000_000), "Points one history answer holds at most.")
        case .corsCacheSeconds:
            (.serve, .number(\.usher.observation.corsCacheSeconds, 0...3_600), "Seconds an instance trusts a site's allowed origins for CORS.")
        case .corsCacheSites:
            (.serve, .number(\.usher.observation.corsCacheSites, 1...1_000_000), "Sites whose allowed origins one instance keeps for CORS.")
        case .logLevel: (.core, .logLevel(\.usher.logLevel), "How much to log: trace, debug, info, notice, warning, error or critical.")
        }
    }
}
