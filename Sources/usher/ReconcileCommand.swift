import ArgumentParser
import Foundation
import Logging
import RedisClient
import UsherCore
import UsherHTTP

/// `usher reconcile --site S`: rebuilds a site's capacity counters from the primary records in Redis and reports
/// every difference and every broken invariant. Exits 0 when there is neither, 2 otherwise (so monitoring can alert
/// on it).
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Check (and with --repair, fix) a site's capacity counters against its primary records."
    )

    @Option(help: "The site to check.")
    var site: String

    @Flag(help: "Write the rebuilt counters where they differ.")
    var repair = false

    @OptionGroup(title: "Redis") var redis: SettingOptions<RedisSettings>

    @OptionGroup(title: "Core") var core: SettingOptions<CoreSettings>

    func run() async throws {
        let launch = try LaunchConfiguration(options: self.redis.settings, self.core.settings)
        guard launch.namesRedis else {
            throw ValidationError(
                "reconcile needs the Redis that Usher uses: \(Setting.redisURL.flag), \(Setting.redisCluster.flag) or their variables"
            )
        }
        var logger = Logger(label: "usher")
        logger.logLevel = launch.usher.logLevel
        let client = RedisClient(configuration: launch.usher.redis, scripts: Broker.scripts, logger: logger)
        let broker = Broker(redis: client, configuration: launch.usher.broker)
        let report = try await withThrowingTaskGroup(of: ReconcileReport?.self) { group in
            group.addTask {
                try await client.run()
                return nil
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while !client.isReady {
                guard ContinuousClock.now < deadline else { throw RedisError.notConnected }
                try await Task.sleep(for: .milliseconds(20))
            }
            let report = try await broker.reconcile(site: self.site, caller: .admin, repair: self.repair)
            group.cancelAll()
            return report
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        if report.drift > 0 || !report.violations.isEmpty {
            throw ExitCode(2)
        }
    }
}
