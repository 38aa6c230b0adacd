/// ARGV[1...12], which every script but siteSettings.lua starts with (see prelude.lua's header): who calls, and the
/// limits the prelude enforces.
struct PreludeArguments {
    /// ARGV[5...12], from configuration: rendered once per broker, not on every call.
    struct Limits: Sendable {
        let rendered: [String]

        init(_ configuration: BrokerConfiguration) {
            self.rendered = [
                configuration.sweepLimit,
                configuration.retentionSeconds * 1_000,
                configuration.historyRetentionSeconds * 1_000,
                configuration.maxQueuesPerSite,
                configuration.maxAgentsPerSite,
                configuration.maxTokensPerSite,
                configuration.maxSupersededSessions,
                configuration.maxRetainedPerSite,
            ].map { String($0) }
        }
    }

    let caller: Caller
    /// The roles that may call.
    let roles: [Role]
    /// The agent the path names ("" if none): an agent token may act only as it.
    let agent: String
    let limits: Limits

    /// ARGV as sent: these, then the script's own.
    func rendered(followedBy own: [String]) -> [String] {
        var all: [String] = []
        all.reserveCapacity(4 + self.limits.rendered.count + own.count)
        all.append(self.caller.callerArgument)
        all.append(self.roles.map(\.rawValue).joined(separator: ","))
        all.append(self.agent)
        all.append(self.caller.addressArgument)
        all += self.limits.rendered
        all += own
        return all
    }
}
