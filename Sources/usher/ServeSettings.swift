import ArgumentParser
import Logging
import RedisClient
import UsherHTTP

/// `usher serve`'s configuration, resolved once: flag, else environment variable, else default.
struct ServeSettings {
    var usher: UsherConfiguration
    /// nil means: start a private redis-server.
    var redisURL: String?
    var redisServer: String
    var dataDirectory: String

    init(command: ServeCommand, environment: [String: String]) throws {
        let source = Source(environment: environment)
        var redis = RedisConfiguration()
        self.redisURL = command.redisURL ?? environment["USHER_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let redisURL {
            do {
                try redis.apply(url: redisURL)
            } catch {
                throw ValidationError(error.description)
            }
        }
        redis.poolSize = try source.int(command.redisPoolSize, "USHER_REDIS_POOL_SIZE", redis.poolSize, 1...64)
        redis.maxInFlight = try source.int(command.redisMaxInFlight, "USHER_REDIS_MAX_IN_FLIGHT", redis.maxInFlight, 1...1_000_000)
        redis.connectTimeoutMilliseconds = try source.int(
            command.redisConnectTimeoutMs, "USHER_REDIS_CONNECT_TIMEOUT_MS", redis.connectTimeoutMilliseconds, 1...60_000)
        redis.commandTimeoutMilliseconds = try source.int(
            command.redisCommandTimeoutMs, "USHER_REDIS_COMMAND_TIMEOUT_MS", redis.commandTimeoutMilliseconds, 1...60_000)
        redis.reconnectBaseMilliseconds = try source.int(
            command.redisReconnectBaseMs, "USHER_REDIS_RECONNECT_BASE_MS", redis.reconnectBaseMilliseconds, 1...60_000)
        redis.reconnectMaxMilliseconds = try source.int(
            command.redisReconnectMaxMs, "USHER_REDIS_RECONNECT_MAX_MS", redis.reconnectMaxMilliseconds, 1...300_000)
        redis.drainTimeoutMilliseconds = try source.int(
            command.redisDrainTimeoutMs, "USHER_REDIS_DRAIN_TIMEOUT_MS", redis.drainTimeoutMilliseconds, 0...60_000)

        let levelName = command.logLevel ?? environment["USHER_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ValidationError("unknown log level \(levelName)")
        }
        self.usher = UsherConfiguration(
            host: command.host ?? environment["USHER_HOST"] ?? "127.0.0.1",
            port: try source.int(command.port, "USHER_PORT", 8080, 0...65_535),
            adminToken: (command.adminToken ?? environment["USHER_ADMIN_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 },
            redis: redis,
            logLevel: level
        )
        self.redisServer = command.redisServer ?? environment["USHER_REDIS_SERVER"] ?? "redis-server"
        self.dataDirectory = command.dataDir ?? environment["USHER_DATA_DIR"] ?? "data/redis"
    }

    private struct Source {
        let environment: [String: String]

        func int(_ flag: Int?, _ variable: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            let value: Int
            if let flag {
                value = flag
            } else if let text = environment[variable] {
                guard let parsed = Int(text) else { throw ValidationError("\(variable) must be a whole number, got \(text)") }
                value = parsed
            } else {
                value = fallback
            }
            guard range.contains(value) else {
                throw ValidationError("\(variable) must be within \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
            return value
        }
    }
}
