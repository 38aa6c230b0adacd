import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RedisClient
import RedisServer
import ServiceLifecycle
import UsherHTTP

/// `usher serve`: runs the broker until SIGTERM or SIGINT, then stops taking connections, finishes the requests in
/// flight, drains Redis and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Usher HTTP server.",
        discussion: """
            Every option can also come from the environment variable named in its help; a flag wins over the \
            environment, the environment over the default. With no Redis URL, Usher starts a private redis-server \
            on loopback, keeps its data in --data-dir and stops it on exit.
            """
    )

    @Option(help: "Address to listen on (USHER_HOST). [default: 127.0.0.1]")
    var host: String?

    @Option(help: "Port to listen on (USHER_PORT). [default: 8080]")
    var port: Int?

    @Option(help: "Root admin bearer token (USHER_ADMIN_TOKEN). [default: none, the admin API is closed]")
    var adminToken: String?

    @Option(help: "Largest request body in bytes (USHER_MAX_BODY_BYTES). [default: 16384]")
    var maxBodyBytes: Int?

    @Option(help: "Seconds a connection may sit idle or take to send a request head before it is closed (USHER_IDLE_TIMEOUT_SECONDS). [default: 65]")
    var idleTimeoutSeconds: Int?

    @Option(help: "Seconds a request may take from first byte to end of body, else 408 and close (USHER_REQUEST_READ_TIMEOUT_SECONDS). [default: 30]")
    var requestReadTimeoutSeconds: Int?

    @Option(help: "Retry-After while Redis is unreachable, in seconds (USHER_UNAVAILABLE_RETRY_SECONDS). [default: 5]")
    var unavailableRetrySeconds: Int?

    @Option(help: "Retry-After when a waiting line is full, in seconds (USHER_LINE_FULL_RETRY_SECONDS). [default: 60]")
    var lineFullRetrySeconds: Int?

    @Option(help: "Serve /metrics on this port only, without a token, not on the API's (USHER_METRICS_PORT). [default: the API's port]")
    var metricsPort: Int?

    @Option(help: "Bearer token for /metrics on the API's port, as is the admin token (USHER_METRICS_TOKEN). [default: none]")
    var metricsToken: String?

    @Option(help: "Milliseconds between samples of every site for metrics and history (USHER_SAMPLE_INTERVAL_MS). [default: 5000]")
    var sampleIntervalMs: Int?

    @Option(help: "Sites sampled and reported in metrics at most, in name order (USHER_MAX_SAMPLED_SITES). [default: 500]")
    var maxSampledSites: Int?

    @Option(help: "Milliseconds between checks of a capacity stream for changes (USHER_STREAM_INTERVAL_MS). [default: 250]")
    var streamIntervalMs: Int?

    @Option(help: "Seconds of quiet before a capacity stream sends a heartbeat (USHER_STREAM_HEARTBEAT_SECONDS). [default: 15]")
    var streamHeartbeatSeconds: Int?

    @Option(help: "Seconds after which a capacity stream ends; clients reconnect (USHER_STREAM_MAX_SECONDS). [default: 3600]")
    var streamMaxSeconds: Int?

    @Option(help: "Capacity streams open on one instance at most (USHER_MAX_STREAMS). [default: 100]")
    var maxStreams: Int?

    @Option(help: "Points one history answer holds at most (USHER_HISTORY_MAX_POINTS). [default: 2000]")
    var historyMaxPoints: Int?

    @Option(help: "Seconds an instance trusts a site's allowed origins for CORS (USHER_CORS_CACHE_SECONDS). [default: 5]")
    var corsCacheSeconds: Int?

    @Option(help: "Sites whose allowed origins one instance keeps for CORS (USHER_CORS_CACHE_SITES). [default: 10000]")
    var corsCacheSites: Int?

    @Option(help: "Comma-separated addresses of the proxies whose X-Forwarded-For names the client (USHER_TRUSTED_PROXIES). [default: none]")
    var trustedProxies: String?

    @OptionGroup var redis: RedisOptions

    @OptionGroup var core: CoreOptions

    @Option(help: "redis-server to start when no Redis URL is set (USHER_REDIS_SERVER). [default: redis-server]")
    var redisServer: String?

    @Option(help: "Data directory of the private redis-server (USHER_DATA_DIR). [default: ./data/redis]")
    var dataDir: String?

    func run() async throws {
        let source = EnvironmentSource(environment: ProcessInfo.processInfo.environment)
        var configuration = UsherConfiguration(
            host: source.string(self.host, "USHER_HOST") ?? "127.0.0.1",
            port: try source.int(self.port, "USHER_PORT", 8080, 0...65_535),
            adminToken: source.string(self.adminToken, "USHER_ADMIN_TOKEN"),
            redis: try self.redis.configuration(source),
            broker: try self.core.broker(source),
            maxBodyBytes: try source.int(self.maxBodyBytes, "USHER_MAX_BODY_BYTES", 16_384, 1_024...1_048_576),
            idleTimeoutSeconds: try source.int(self.idleTimeoutSeconds, "USHER_IDLE_TIMEOUT_SECONDS", 65, 1...3_600),
            requestReadTimeoutSeconds: try source.int(
                self.requestReadTimeoutSeconds, "USHER_REQUEST_READ_TIMEOUT_SECONDS", 30, 1...3_600
            ),
            retry: RetryAdvice(
                unavailableSeconds: try source.int(self.unavailableRetrySeconds, "USHER_UNAVAILABLE_RETRY_SECONDS", 5, 1...3_600),
                lineFullSeconds: try source.int(self.lineFullRetrySeconds, "USHER_LINE_FULL_RETRY_SECONDS", 60, 1...3_600)
            ),
            observation: try self.observation(source),
            trustedProxies: (source.string(self.trustedProxies, "USHER_TRUSTED_PROXIES") ?? "")
                .split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty },
            logLevel: try self.core.level(source)
        )
        var logger = Logger(label: "usher")
        logger.logLevel = configuration.logLevel

        var embedded: RedisServerProcess?
        if self.redis.url(source) == nil {
            let directory = URL(fileURLWithPath: source.string(self.dataDir, "USHER_DATA_DIR") ?? "data/redis", isDirectory: true)
            let server = try await RedisServerProcess.start(
                executable: source.string(self.redisServer, "USHER_REDIS_SERVER") ?? "redis-server",
                dataDirectory: directory,
                persistent: true,
                logger: logger
            )
            configuration.redis.port = server.port
            embedded = server
        }
        if configuration.adminToken == nil {
            logger.notice("no admin token configured: the admin API is closed (set --admin-token or USHER_ADMIN_TOKEN)")
        }
        if configuration.observation.metricsPort == nil, configuration.observation.metricsToken == nil, configuration.adminToken == nil {
            logger.notice("no metrics port or token configured: /metrics is closed (set --metrics-port or --metrics-token)")
        }
        let app = buildApplication(configuration: configuration, logger: logger)
        // The private redis-server comes first, so the group stops it after the app; however the app ends, the
        // group shuts down gracefully, so the server flushes and exits.
        let services: [any Service] = (embedded.map { [$0] } ?? []) + [app]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    private func observation(_ source: EnvironmentSource) throws -> ObservationConfiguration {
        let defaults = ObservationConfiguration()
        let metricsPort: Int? =
            self.metricsPort != nil || source.string(nil, "USHER_METRICS_PORT") != nil
            ? try source.int(self.metricsPort, "USHER_METRICS_PORT", 0, 1...65_535) : nil
        return ObservationConfiguration(
            metricsPort: metricsPort,
            metricsToken: source.string(self.metricsToken, "USHER_METRICS_TOKEN"),
            sampleIntervalMilliseconds: try source.int(
                self.sampleIntervalMs, "USHER_SAMPLE_INTERVAL_MS", defaults.sampleIntervalMilliseconds, 100...600_000),
            maxSampledSites: try source.int(self.maxSampledSites, "USHER_MAX_SAMPLED_SITES", defaults.maxSampledSites, 1...100_000),
            streamIntervalMilliseconds: try source.int(
                self.streamIntervalMs, "USHER_STREAM_INTERVAL_MS", defaults.streamIntervalMilliseconds, 50...60_000),
            streamHeartbeatSeconds: try source.int(
                self.streamHeartbeatSeconds, "USHER_STREAM_HEARTBEAT_SECONDS", defaults.streamHeartbeatSeconds, 1...3_600
            ),
            streamMaxSeconds: try source.int(self.streamMaxSeconds, "USHER_STREAM_MAX_SECONDS", defaults.streamMaxSeconds, 10...86_400),
            maxStreams: try source.int(self.maxStreams, "USHER_MAX_STREAMS", defaults.maxStreams, 1...100_000),
            historyMaxPoints: try source.int(self.historyMaxPoints, "USHER_HISTORY_MAX_POINTS", defaults.historyMaxPoints, 10...1_000_000),
            corsCacheSeconds: try source.int(self.corsCacheSeconds, "USHER_CORS_CACHE_SECONDS", defaults.corsCacheSeconds, 0...3_600),
            corsCacheSites: try source.int(self.corsCacheSites, "USHER_CORS_CACHE_SITES", defaults.corsCacheSites, 1...1_000_000)
        )
    }
}
