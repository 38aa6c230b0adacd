internal import Foundation

/// Limits of the core that are not per-site settings.
public struct BrokerConfiguration: Sendable {
    /// Expired holds, lapsed heartbeats and due orphans swept per script call at most; keeps every call bounded.
    public var sweepLimit: Int
    /// How long resolved invitations and ended chats stay readable (for 410 answers and late reads).
    public var retentionSeconds: Int
    /// Canned messages per site; one more is refused.
    public var maxCannedMessages: Int
    /// Characters of one canned message's template.
    public var maxTemplateCharacters: Int
    /// Sites whose parsed canned messages one instance keeps in memory; past it another site's entry makes room.
    public var cannedCacheSites: Int
    /// How fast a queue's averages of handle time and first-response time forget: a sample's weight halves with
    /// every this many newer samples.
    public var estimateHalfLifeSamples: Int
    /// Per queue, how many recent waits are kept to measure the estimates' error.
    public var estimateErrorSamples: Int
    /// How many days ahead a site's business hours are compiled into opening and closing instants; the first decision
    /// past that horizon compiles them again.
    public var hoursHorizonDays: Int
    /// How long the per-minute history of each site and queue is kept; 0 keeps none.
    public var historyRetentionSeconds: Int
    /// Finished minutes of history one sample folds into their blocks at most (a sample runs every few seconds per
    /// site, so a few keep up; more catch up faster after no instance sampled for a while).
    public var historyFoldMinutes: Int
    /// Agents the capacity view lists by name (with status and load), in id order; the counts cover all of them.
    public var capacityListedAgents: Int
    /// Agents past their heartbeat whom no sweep has lapsed yet that the capacity view counts as they are now, at
    /// most; the rest of such a backlog counts as they were until the sweeper reaches them. Bounds the view's reads.
    public var capacityCorrectedAgents: Int
    /// Per site: queues (configured or served by agents), agents, tokens; one more is refused. Queues also bound
    /// what the capacity view, the history and the metrics report.
    public var maxQueuesPerSite: Int
    public var maxAgentsPerSite: Int
    public var maxTokensPerSite: Int
    /// Superseded sessions each agent remembers, newest first, so that none of them can take over again.
    public var maxSupersededSessions: Int
    /// Resolved invitations and ended chats kept readable per site; past it the oldest go before `retentionSeconds`.
    public var maxRetainedPerSite: Int
    /// How often the background sweeper passes over every site, so deadlines pass at sites nobody calls; and how
    /// many sites it sweeps at once.
    public var sweepIntervalMilliseconds: Int
    public var sweepConcurrency: Int
    /// The most website polls of one site and token decided in one script call. Polls that arrive while a call of
    /// theirs is in flight wait for it and go together in the next; this bounds how long one call holds Redis.
    public var pollBatchMax: Int
    /// Calls of one site and token's polls in flight at once; polls arriving when all are wait for the next.
    public var pollCallsInFlight: Int
    /// Polls of one site and token that may wait for a call; those arriving past them are withheld as unavailable at
    /// once, since each waits for a call ahead of it.
    public var pollWaitingMax: Int

    public init(
        sweepLimit: Int = 20,
        retentionSeconds: Int = 86_400,
        maxCannedMessages: Int = 200,
        maxTemplateCharacters: Int = 2_000,
        cannedCacheSites: Int = 10_000,
        estimateHalfLifeSamples: Int = 20,
        estimateErrorSamples: Int = 200,
        hoursHorizonDays: Int = 35,
        historyRetentionSeconds: Int = 8 * 86_400,
        historyFoldMinutes: Int = 60,
        capacityListedAgents: Int = 200,
        capacityCorrectedAgents: Int = 1_000,
        maxQueuesPerSite: Int = 50,
        maxAgentsPerSite: Int = 20_000,
        maxTokensPerSite: Int = 50_000,
        maxSupersededSessions: Int = 1_000,
        maxRetainedPerSite: Int = 100_000,
        sweepIntervalMilliseconds: Int = 1_000,
        sweepConcurrency: Int = 16,
        pollBatchMax: Int = 64,
        pollCallsInFlight: Int = 2,
        pollWaitingMax: Int = 512
    ) {
        self.sweepLimit = sweepLimit
        self.retentionSeconds = retentionSeconds
        self.maxCannedMessages = maxCannedMessages
        self.maxTemplateCharacters = maxTemplateCharacters
        self.cannedCacheSites = cannedCacheSites
        self.estimateHalfLifeSamples = estimateHalfLifeSamples
        self.estimateErrorSamples = estimateErrorSamples
        self.hoursHorizonDays = hoursHorizonDays
        self.historyRetentionSeconds = historyRetentionSeconds
        self.historyFoldMinutes = historyFoldMinutes
        self.capacityListedAgents = capacityListedAgents
        self.capacityCorrectedAgents = capacityCorrectedAgents
        self.maxQueuesPerSite = maxQueuesPerSite
        self.maxAgentsPerSite = maxAgentsPerSite
        self.maxTokensPerSite = maxTokensPerSite
        self.maxSupersededSessions = maxSupersededSessions
        self.maxRetainedPerSite = maxRetainedPerSite
        self.sweepIntervalMilliseconds = sweepIntervalMilliseconds
        self.sweepConcurrency = sweepConcurrency
        self.pollBatchMax = pollBatchMax
        self.pollCallsInFlight = pollCallsInFlight
        self.pollWaitingMax = pollWaitingMax
    }

    /// How far past its deadline reconcile lets a record be before it reports it: two sweeper passes, and a second
    /// for clocks and round trips.
    var deadlineToleranceMilliseconds: Int { 2 * self.sweepIntervalMilliseconds + 1_000 }

    /// The weight of a new sample in a decaying average with that half-life: 1 − 2^(−1/h).
    var estimateSampleWeight: Double {
        1 - pow(2, -1 / Double(max(1, self.estimateHalfLifeSamples)))
    }
}
