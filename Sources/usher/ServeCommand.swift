import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RedisClient
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

    @Option(help: "Redis to use, redis://[user:password@]host:port/db (USHER_REDIS_URL). [default: a private redis-server]")
    var redisURL: String?

    @Option(help: "Root admin bearer token (USHER_ADMIN_TOKEN). [default: none, the admin API is closed]")
    var adminToken: String?

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

    @Option(help: "redis-server to start when no Redis URL is set (USHER_REDIS_SERVER). [default: redis-server]")
    var redisServer: String?

    @Option(help: "Data directory of the private redis-server (USHER_DATA_DIR). [default: ./data/redis]")
    var dataDir: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (USHER_LOG_LEVEL). [default: info]")
    var logLevel: String?

    func run() async throws {
        let settings = try ServeSettings(command: self, environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "usher")
        logger.logLevel = settings.usher.logLevel

        var configuration = settings.usher
        var embedded: RedisServerProcess?
        if settings.redisURL == nil {
            let server = try await Self.startEmbeddedRedis(settings: settings, logger: logger)
            configuration.redis.port = server.port
            embedded = server
        }
        let app = buildApplication(configuration: configuration, logger: logger)
        do {
            try await app.runService()
        } catch {
            await Self.stop(embedded, logger: logger)
            throw error
        }
        await Self.stop(embedded, logger: logger)
    }

    private static func stop(_ embedded: RedisServerProcess?, logger: Logger) async {
        guard let embedded else { return }
        logger.info("stopping the private redis-server")
        await embedded.stop()
    }

    private static func startEmbeddedRedis(settings: ServeSettings, logger: Logger) async throws -> RedisServerProcess {
        let directory = URL(fileURLWithPath: settings.dataDirectory, isDirectory: true)
        let server = try await RedisServerProcess.start(
            executable: settings.redisServer,
            dataDirectory: directory,
            persistent: true
        )
        logger.info(
            "started a private redis-server",
            metadata: ["redis.port": "\(server.port)", "redis.dir": "\(directory.path)"]
        )
        return server
    }
}
