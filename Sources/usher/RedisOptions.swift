import ArgumentParser
import RedisClient

/// How to reach Redis; shared by every command that talks to it.
struct RedisOptions: ParsableArguments {
    @Option(help: "Redis to use, redis://[user:password@]host:port/db (USHER_REDIS_URL).")
    var redisURL: String?

    @Option(help: "Redis connections kept open (USHER_REDIS_POOL_SIZE). [default: 2]")
    var redisPoolSize: Int?

    @Option(help: "Redis commands in flight before callers are refused (USHER_REDIS_MAX_IN_FLIGHT). [default: 10000]")
    var redisMaxInFlight: Int?

    @Option(help: "Redis connect timeout in ms (USHER_REDIS_CONNECT_TIMEOUT_MS). [default: 1000]")
    var redisConnectTimeoutMs: Int?

    @Option(help: "Redis command deadline in ms (USHER_REDIS_COMMAND_TIMEOUT_MS). [default: 1000]")
    var redisCommandTimeoutMs: Int?

    @Option(help: "First Redis reconnect delay in ms, doubled per failure (USHER_REDIS_RECONNECT_BASE_MS). [default: 50]")
    var redisReconnectBaseMs: Int?

    @Option(help: "Longest Redis reconnect delay in ms (USHER_REDIS_RECONNECT_MAX_MS). [default: 2000]")
    var redisReconnectMaxMs: Int?

    @Option(help: "How long shutdown waits for Redis commands in flight, in ms (USHER_REDIS_DRAIN_TIMEOUT_MS). [default: 2000]")
    var redisDrainTimeoutMs: Int?

    /// The URL given, if any: none means the caller decides (serve starts a private redis-server).
    func url(_ source: EnvironmentSource) -> String? {
        source.string(self.redisURL, "USHER_REDIS_URL")
    }

    func configuration(_ source: EnvironmentSource) throws -> RedisConfiguration {
        var redis = RedisConfiguration()
        if let url = self.url(source) {
            do {
                try redis.apply(url: url)
            } catch {
                throw ValidationError(error.description)
            }
        }
        redis.poolSize = try source.int(self.redisPoolSize, "USHER_REDIS_POOL_SIZE", redis.poolSize, 1...64)
        redis.maxInFlight = try source.int(self.redisMaxInFlight, "USHER_REDIS_MAX_IN_FLIGHT", redis.maxInFlight, 1...1_000_000)
        redis.connectTimeoutMilliseconds = try source.int(
            self.redisConnectTimeoutMs, "USHER_REDIS_CONNECT_TIMEOUT_MS", redis.connectTimeoutMilliseconds, 1...60_000)
        redis.commandTimeoutMilliseconds = try source.int(
            self.redisCommandTimeoutMs, "USHER_REDIS_COMMAND_TIMEOUT_MS", redis.commandTimeoutMilliseconds, 1...60_000)
        redis.reconnectBaseMilliseconds = try source.int(
            self.redisReconnectBaseMs, "USHER_REDIS_RECONNECT_BASE_MS", redis.reconnectBaseMilliseconds, 1...60_000)
        redis.reconnectMaxMilliseconds = try source.int(
            self.redisReconnectMaxMs, "USHER_REDIS_RECONNECT_MAX_MS", redis.reconnectMaxMilliseconds, 1...300_000)
        redis.drainTimeoutMilliseconds = try source.int(
            self.redisDrainTimeoutMs, "USHER_REDIS_DRAIN_TIMEOUT_MS", redis.drainTimeoutMilliseconds, 0...60_000)
        return redis
    }
}
