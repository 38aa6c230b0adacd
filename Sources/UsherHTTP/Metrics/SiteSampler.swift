internal import Logging
internal import Metrics
internal import ServiceLifecycle
internal import UsherCore

/// Samples every site from Redis on an interval: the gauges and site counters of `/metrics` (so every instance
/// reports the same truth, whoever made the decisions) and, once per interval across all instances, the gauges of
/// the per-minute history.
struct SiteSampler: Service {
    let broker: Broker
    let configuration: ObservationConfiguration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await self.sampleAll()
            // Shutdown ends the wait at once rather than after the interval.
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(self.configuration.sampleIntervalMilliseconds))
            }
        }
    }

    func sampleAll() async {
        let sites: [String]
        do {
            sites = try await self.broker.sites(limit: self.configuration.maxSampledSites)
        } catch {
            self.logger.debug("sampler: cannot list sites", metadata: ["error": "\(error)"])
            return
        }
        for site in sites {
            do {
                let sample = try await self.broker.sample(site: site, leaseMilliseconds: self.configuration.sampleIntervalMilliseconds)
                self.report(sample, site: site)
            } catch {
                Counter(label: "usher_sample_errors_total", dimensions: [("site", site)]).increment()
                self.logger.debug("sampler: cannot sample site", metadata: ["site": "\(site)", "error": "\(error)"])
            }
        }
    }

    private func report(_ sample: SiteSample, site: String) {
        let queues = sample.capacity.queues.keys.sorted().prefix(self.broker.limits.maxQueuesPerSite)
        Self.gauges(sample.capacity.site, site: site, queue: CapacityHistory.site)
        for queue in queues {
            if let view = sample.capacity.queues[queue] { Self.gauges(view, site: site, queue: queue) }
        }
        let allowed = Set(queues).union(["~"])
        for (queue, values) in sample.queueCounters where allowed.contains(queue) {
            for (name, value) in values {
                guard let (label, dimensions) = Self.counter(name) else { continue }
                let delta = UsherMetrics.counterBaseline.withLock {
                    $0.advance("\(site)|\(queue)|\(name)", to: value, at: sample.sampledAt)
                }
                if delta > 0 {
                    Counter(label: label, dimensions: [("site", site), ("queue", queue)] + dimensions).increment(by: delta)
                }
            }
        }
        // Rate-limit refusals are counted for the site only: they come before the request's queue is looked at.
        let limited = UsherMetrics.counterBaseline.withLock {
            $0.advance("\(site)|*|\(DecisionCount.rateLimited.rawValue)", to: sample.capacity.counter(.rateLimited), at: sample.sampledAt)
        }
        if limited > 0 { Counter(label: "usher_rate_limited_total", dimensions: [("site", site)]).increment(by: limited) }
        let minutes = self.broker.historyRetentionMinutes
        Gauge(label: "usher_history_minute_bytes", dimensions: [("site", site)]).record(sample.historyMinuteBytes)
        Gauge(label: "usher_history_bytes_estimate", dimensions: [("site", site)]).record(sample.historyMinuteBytes * minutes)
    }

    private static func gauges(_ view: CapacityView, site: String, queue: String) {
        let scope = [("site", site), ("queue", queue)]
        for (status, count) in [
            ("available", view.agents.available), ("away", view.agents.away), ("draining", view.agents.draining), ("offline", view.agents.offline),
        ] {
            Gauge(label: "usher_agents", dimensions: scope + [("status", status)]).record(count)
        }
        for (state, count) in [("total", view.slots.total), ("chats", view.slots.chats), ("held", view.slots.held), ("free", view.slots.free)] {
            Gauge(label: "usher_slots", dimensions: scope + [("state", state)]).record(count)
        }
        Gauge(label: "usher_waiting_chats", dimensions: scope).record(view.waiting)
    }

    /// The metric and extra label of a counter the scripts keep; nil for those only the capacity view shows.
    static func counter(_ name: String) -> (String, [(String, String)])? {
        if let reason = DecisionCount.withheldBy.detail(of: name) { return ("usher_invitations_withheld_total", [("reason", reason)]) }
        if let source = DecisionCount.startedBy.detail(of: name) { return ("usher_chats_started_total", [("source", source)]) }
        switch DecisionCount(rawValue: name) {
        case .issued, .accepted, .declined, .expired: return ("usher_invitations_total", [("outcome", name)])
        case .ended, .orphaned, .abandoned: return ("usher_chats_finished_total", [("outcome", name)])
        case .refused: return ("usher_chats_refused_total", [])
        case .withheld, .withheldBy, .startedBy, .rateLimited, nil: return nil
        }
    }
}

/// The counts last reported per site, queue and counter: Redis holds totals, Prometheus counters take increments.
/// A later total lower than the last one (the site's data was reset) starts a new baseline. One per process, like
/// the registry it reports to, so several samplers in one process (tests build many applications) never count
/// twice; `at` (Redis's clock when the total was read) orders their readings, so one that finishes late cannot pass
/// for a reset.
struct CounterBaseline {
    private var last: [String: (value: Int, at: Int64)] = [:]

    mutating func advance(_ key: String, to value: Int, at: Int64) -> Int {
        guard let previous = self.last[key] else {
            self.last[key] = (value, at)
            return value
        }
        // Older than the last reading, or of the same instant and lower: another sampler's, finishing late.
        if at < previous.at || (at == previous.at && value < previous.value) { return 0 }
        self.last[key] = (value, at)
        return value >= previous.value ? value - previous.value : 0
    }
}
