/// Limits of the core that are not per-site settings.
public struct BrokerConfiguration: Sendable {
    /// Expired holds, lapsed heartbeats and due orphans swept per script call at most; keeps every call bounded.
    public var sweepLimit: Int
    /// How long resolved invitations and ended chats stay readable (for 410 answers and late reads).
    public var retentionSeconds: Int

    public init(sweepLimit: Int = 20, retentionSeconds: Int = 86_400) {
        self.sweepLimit = sweepLimit
        self.retentionSeconds = retentionSeconds
    }
}
