import ArgumentParser
import Logging
import UsherCore

/// Limits of the capacity core and logging; shared by every command that runs decisions.
struct CoreOptions: ParsableArguments {
    @Option(help: "Expired holds, lapsed heartbeats and due orphans swept per decision at most (USHER_SWEEP_LIMIT). [default: 20]")
    var sweepLimit: Int?

    @Option(help: "Seconds resolved invitations and ended chats stay readable (USHER_RETENTION_SECONDS). [default: 86400]")
    var retentionSeconds: Int?

    @Option(help: "Canned messages per site (USHER_MAX_CANNED_MESSAGES). [default: 200]")
    var maxCannedMessages: Int?

    @Option(help: "Characters of one canned message's template (USHER_MAX_TEMPLATE_CHARACTERS). [default: 2000]")
    var maxTemplateCharacters: Int?

    @Option(help: "Sites whose parsed canned messages are kept in memory (USHER_CANNED_CACHE_SITES). [default: 10000]")
    var cannedCacheSites: Int?

    @Option(help: "Samples after which a handle or first-response time counts half in its queue's average (USHER_ESTIMATE_HALF_LIFE_SAMPLES). [default: 20]")
    var estimateHalfLifeSamples: Int?

    @Option(help: "Recent waits per queue kept to measure the wait estimates' error (USHER_ESTIMATE_ERROR_SAMPLES). [default: 200]")
    var estimateErrorSamples: Int?

    @Option(help: "Days ahead business hours are compiled; recompiled when passed (USHER_HOURS_HORIZON_DAYS). [default: 35]")
    var hoursHorizonDays: Int?

    @Option(help: "Seconds the per-minute capacity history is kept, 0 for none (USHER_HISTORY_RETENTION_SECONDS). [default: 691200, 8 days]")
    var historyRetentionSeconds: Int?

    @Option(help: "Agents the capacity view lists by name with status and load (USHER_CAPACITY_LISTED_AGENTS). [default: 200]")
    var capacityListedAgents: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical (USHER_LOG_LEVEL). [default: info]")
    var logLevel: String?

    func broker(_ source: EnvironmentSource) throws -> BrokerConfiguration {
        let defaults = BrokerConfiguration()
        return BrokerConfiguration(
            sweepLimit: try source.int(self.sweepLimit, "USHER_SWEEP_LIMIT", defaults.sweepLimit, 1...1_000),
            retentionSeconds: try source.int(self.retentionSeconds, "USHER_RETENTION_SECONDS", defaults.retentionSeconds, 60...2_592_000),
            maxCannedMessages: try source.int(self.maxCannedMessages, "USHER_MAX_CANNED_MESSAGES", defaults.maxCannedMessages, 1...10_000),
            maxTemplateCharacters: try source.int(
                self.maxTemplateCharacters, "USHER_MAX_TEMPLATE_CHARACTERS", defaults.maxTemplateCharacters, 1...100_000
            ),
            cannedCacheSites: try source.int(self.cannedCacheSites, "USHER_CANNED_CACHE_SITES", defaults.cannedCacheSites, 1...1_000_000),
            estimateHalfLifeSamples: try source.int(
                self.estimateHalfLifeSamples, "USHER_ESTIMATE_HALF_LIFE_SAMPLES", defaults.estimateHalfLifeSamples, 1...10_000
            ),
            estimateErrorSamples: try source.int(
                self.estimateErrorSamples, "USHER_ESTIMATE_ERROR_SAMPLES", defaults.estimateErrorSamples, 1...10_000
            ),
            hoursHorizonDays: try source.int(self.hoursHorizonDays, "USHER_HOURS_HORIZON_DAYS", defaults.hoursHorizonDays, 2...366),
            historyRetentionSeconds: try source.int(
                self.historyRetentionSeconds, "USHER_HISTORY_RETENTION_SECONDS", defaults.historyRetentionSeconds, 0...31_536_000
            ),
            capacityListedAgents: try source.int(
                self.capacityListedAgents, "USHER_CAPACITY_LISTED_AGENTS", defaults.capacityListedAgents, 0...100_000
            )
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
