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
            on loopback, keeps its data in \(Setting.dataDir.flag) and stops it on exit.
            """
    )

    @OptionGroup(title: "Server") var serve: SettingOptions<ServeSettings>

    @OptionGroup(title: "Redis") var redis: SettingOptions<RedisSettings>

    @OptionGroup(title: "Core") var core: SettingOptions<CoreSettings>

    func run() async throws {
        let launch = try LaunchConfiguration(options: self.serve.settings, self.redis.settings, self.core.settings)
        var configuration = launch.usher
        var logger = Logger(label: "usher")
        logger.logLevel = configuration.logLevel

        var embedded: RedisServerProcess?
        if !launch.namesRedis {
            let directory = URL(fileURLWithPath: launch.dataDirectory, isDirectory: true)
            let server = try await RedisServerProcess.start(
                executable: launch.redisServer,
                dataDirectory: directory,
                persistent: true,
                logger: logger
            )
            configuration.redis.port = server.port
            embedded = server
        }
        if configuration.adminToken == nil {
            logger.notice("no admin token configured: the admin API is closed (set \(Setting.adminToken.flag) or \(Setting.adminToken.variable))")
        }
        if configuration.observation.metricsPort == nil, configuration.observation.metricsToken == nil, configuration.adminToken == nil {
            logger.notice("no metrics port or token configured: /metrics is closed (set \(Setting.metricsPort.flag) or \(Setting.metricsToken.flag))")
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
}
