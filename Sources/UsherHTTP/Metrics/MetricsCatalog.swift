internal import RedisClient
internal import UsherCore

/// Every metric Usher exposes: its Prometheus name, help text and, for histograms, buckets. swift-metrics carries
/// neither help nor buckets, and `promtool check metrics` wants help on every metric, so the factory looks them up
/// here.
enum MetricsCatalog {
    struct Entry {
        let help: String
        var buckets: [Double] = []
    }

    /// Seconds, from a quarter millisecond (a decision) to ten seconds (a slow request).
    static let latencyBuckets: [Double] = [0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
    /// Seconds a visitor waits, from seconds to an hour.
    static let waitBuckets: [Double] = [1, 5, 10, 20, 30, 60, 120, 300, 600, 1_200, 1_800, 3_600]

    /// The names the Redis client counts under.
    static let redis = RedisMetricNames(prefix: "usher_redis")

    static let entries: [String: Entry] = [
        // Events this instance saw.
        DecisionMetrics.decisionDuration: Entry(help: "Time to run one decision script, Redis round trip included.", buckets: latencyBuckets),
        DecisionMetrics.timeToFirstResponse: Entry(help: "From a chat's request to its agent's first response.", buckets: waitBuckets),
        DecisionMetrics.waitInLine: Entry(help: "From a chat's request to its assignment to an agent.", buckets: waitBuckets),
        DecisionMetrics.estimateError: Entry(
            help: "Absolute difference between the wait a queued visitor was told and the wait it had.", buckets: waitBuckets),
        HTTPMetrics.requests: Entry(help: "HTTP requests answered, by route, method and status (errors are the 4xx and 5xx statuses)."),
        HTTPMetrics.duration: Entry(
            help: "Time from a request to its response's head, by route, method and status.", buckets: latencyBuckets
        ),
        HTTPMetrics.active: Entry(help: "HTTP requests being answered now."),
        redis.commands: Entry(help: "Commands sent to Redis by this instance."),
        redis.errors: Entry(
            help: "Redis commands that got no reply, by kind (not_connected, overloaded, timeout, connection_closed, protocol, "
                + "shutting_down, cross_slot, redirects)."
        ),
        redis.reconnects: Entry(help: "Redis connections this instance made again after one was lost or failed."),
        "usher_redis_in_flight": Entry(help: "Redis commands sent and not yet answered."),
        "usher_redis_connected": Entry(help: "1 while this instance has a live Redis connection with its scripts loaded."),
        // A site's state, read from Redis: every instance reports the same numbers.
        "usher_agents": Entry(help: "Agents by status (available, away, draining, offline); queue \"*\" is the whole site."),
        "usher_slots": Entry(help: "Chat slots by state: total (offered by available agents), chats, held (by invitations), free."),
        "usher_waiting_chats": Entry(help: "Chats in the waiting line."),
        "usher_invitations_total": Entry(help: "Invitations by outcome (issued, accepted, declined, expired), as counted in Redis for the site."),
        "usher_invitations_withheld_total": Entry(help: "Invitation polls answered withhold, by reason, as counted in Redis for the site."),
        "usher_chats_started_total": Entry(help: "Chats started, by source (invitation, reactive, escalation), as counted in Redis for the site."),
        "usher_chats_finished_total": Entry(help: "Chats finished, by outcome (ended, orphaned, abandoned), as counted in Redis for the site."),
        "usher_chats_refused_total": Entry(help: "Chat requests refused (line full or closed), as counted in Redis for the site."),
        "usher_rate_limited_total": Entry(
            help: "Website requests refused by the site's or an address's rate limit, as counted in Redis for the site."),
        "usher_history_minute_bytes": Entry(help: "Redis memory of the site's last full minute of history."),
        "usher_history_bytes_estimate": Entry(
            help: "The site's history memory when full: the last minute's size times the minutes kept (their ten-minute sums add a tenth)."),
        "usher_sample_errors_total": Entry(help: "Site samples (for gauges and history) that failed, by site."),
    ]

    static func entry(_ name: String) -> Entry {
        // A metric missing here still gets help, so the exposition stays valid; the catalog test lists every name.
        Self.entries[name] ?? Entry(help: "Usher metric \(name).", buckets: Self.latencyBuckets)
    }
}
