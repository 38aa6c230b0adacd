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

    @Option(
        help:
            "Samples after which a handle or first-response time counts half in its queue's average (USHER_ESTIMATE_HALF_LIFE_SAMPLES). [default: 20]"
    )
    var estimateHalfLifeSamples: Int?

    @Option(help: "Recent waits per queue kept to measure the wait estimates' error (USHER_ESTIMATE_ERROR_SAMPLES). [default: 200]")
    var estimateErrorSamples: Int?

    @Option(help: "Days ahead business hours are compiled; recompiled when passed (USHER_HOURS_HORIZON_DAYS). [default: 35]")
    var hoursHorizonDays: Int?

    @Option(help: "Seconds the per-minute capacity history is kept, 0 for none (USHER_HISTORY_RETENTION_SECONDS). [default: 691200, 8 days]")
    var historyRetentionSeconds: Int?

    @Option(help: "Agents the capacity view lists by name with status and load (USHER_CAPACITY_LISTED_AGENTS). [default: 200]")
    var capacityListedAgents: Int?

    @Option(help: "Queues per site (configured or served by agents); also bounds what metrics report (USHER_MAX_QUEUES_PER_SITE). [default: 50]")
    var maxQueuesPerSite: Int?

    @Option(help: "Agents per site (USHER_MAX_AGENTS_PER_SITE). [default: 20000]")
    var maxAgentsPerSite: Int?

    @Option(help: "Tokens per site (USHER_MAX_TOKENS_PER_SITE). [default: 50000]")
    var maxTokensPerSite: Int?

    @Option(help: "Superseded sessions each agent remembers so they never take over again (USHER_MAX_SUPERSEDED_SESSIONS). [default: 1000]")
    var maxSupersededSessions: Int?

    @Option(help: "Resolved invitations and ended chats kept readable per site; the oldest go first (USHER_MAX_RETAINED_PER_SITE). [default: 100000]")
    var maxRetainedPerSite: Int?

    @Option(help: "Milliseconds between background sweeps of every site's deadlines (USHER_SWEEP_INTERVAL_MS). [default: 1000]")
    var sweepIntervalMs: Int?

    @Option(help: "Sites the background sweeper sweeps at once (USHER_SWEEP_CONCURRENCY). [default: 16]")
    var sweepConcurrency: Int?

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
            ),
            maxQueuesPerSite: try source.int(self.maxQueuesPerSite, "USHER_MAX_QUEUES_PER_SITE", defaults.maxQueuesPerSite, 1...10_000),
            maxAgentsPerSite: try source.int(self.maxAgentsPerSite, "USHER_MAX_AGENTS_PER_SITE", defaults.maxAgentsPerSite, 1...1_000_000),
            maxTokensPerSite: try source.int(self.maxTokensPerSite, "USHER_MAX_TOKENS_PER_SITE", defaults.maxTokensPerSite, 1...10_000_000),
            maxSupersededSessions: try source.int(
                self.maxSupersededSessions, "USHER_MAX_SUPERSEDED_SESSIONS", defaults.maxSupersededSessions, 1...100_000
            ),
            maxRetainedPerSite: try source.int(self.maxRetainedPerSite, "USHER_MAX_RETAINED_PER_SITE", defaults.maxRetainedPerSite, 1...100_000_000),
            sweepIntervalMilliseconds: try source.int(
                self.sweepIntervalMs, "USHER_SWEEP_INTERVAL_MS", defaults.sweepIntervalMilliseconds, 100...600_000
            ),
            sweepConcurrency: try source.int(self.sweepConcurrency, "USHER_SWEEP_CONCURRENCY", defaults.sweepConcurrency, 1...1_000)
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
