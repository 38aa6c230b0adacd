import ArgumentParser
import Logging
import UsherCore

/// Limits of the capacity core and logging; shared by every command that runs decisions.
struct CoreOptions: ParsableArguments {
    @Option(help: "Expired holds, lapsed heartbeats and due orphans swept per decision at most (USHER_SWEEP_LIMIT). [default: 20]")
    var sweepLimit: Int?

    @Option(help: "Seconds resolved invitations and ended chats stay readable (USHER_RETENTION_SECONDS). [default: 86400]")
    var retentionSeconds: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical (USHER_LOG_LEVEL). [default: info]")
    var logLevel: String?

    func broker(_ source: EnvironmentSource) throws -> BrokerConfiguration {
        let defaults = BrokerConfiguration()
        return BrokerConfiguration(
            sweepLimit: try source.int(self.sweepLimit, "USHER_SWEEP_LIMIT", defaults.sweepLimit, 1...1_000),
            retentionSeconds: try source.int(self.retentionSeconds, "USHER_RETENTION_SECONDS", defaults.retentionSeconds, 60...2_592_000)
        )
    }

    func level(_ source: EnvironmentSource) throws -> Logger.Level {
        let name = source.string(self.logLevel, "USHER_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw ValidationError("unknown log level \(name)")
        }
        return level
    }
}
