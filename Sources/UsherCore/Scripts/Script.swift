internal import RedisClient

/// Every Lua script of the core, registered with the Redis client so that each connection loads them all.
enum Script: CaseIterable {
    case presence, invitation, accept, decline, chatRequest, chatView, chatCancel, chatEnd, firstResponse, agentChats
    case sweep
    case capacity, reconcile, siteSettings, siteRead, tokenIssue, tokenRevoke
    case cannedPut, cannedDelete, cannedRead, hoursPut, hoursDelete, hoursRead, historyRead

    var redisScript: RedisScript { Self.compiled[self]! }

    private static let compiled: [Script: RedisScript] = Dictionary(
        uniqueKeysWithValues: Self.allCases.map { ($0, RedisScript(name: "\($0)", source: Self.expand($0.source))) }
    )

    /// The script's text with each `K.<name>` replaced by the site key it names (`(P .. 'holds')`) and each
    /// `C.<name>` by the count's name (`'issued'`): the names are defined once (`SiteKeys.Name`, `DecisionCount`) and
    /// cost a decision nothing (tables of them, built on every call, cost 1.7 µs of Redis time). A name neither knows
    /// is a bug of ours, and stops the process at the first script's load.
    static func expand(_ source: String) -> String {
        source.replacing(/\b([KC])\.([A-Za-z]+)/) { match in
            let name = String(match.output.2)
            if match.output.1 == "K" {
                guard let key = SiteKeys.Name.allCases.first(where: { "\($0)" == name }) else { fatalError("no site key K.\(name)") }
                return "(P .. '\(key.rawValue)')"
            }
            guard let count = DecisionCount.allCases.first(where: { "\($0)" == name }) else { fatalError("no count C.\(name)") }
            return "'\(count.rawValue)'"
        }
    }

    /// The text as written, before `expand`.
    var source: String {
        switch self {
        case .presence: PresenceScript.source
        case .invitation: InvitationScript.source
        case .accept: AcceptScript.source
        case .decline: DeclineScript.source
        case .chatRequest: ChatRequestScript.source
        case .chatView: ChatViewScript.source
        case .chatCancel: ChatCancelScript.source
        case .sweep: SweepScript.source
        case .chatEnd: ChatEndScript.source
        case .firstResponse: FirstResponseScript.source
        case .agentChats: AgentChatsScript.source
        case .capacity: CapacityScript.source
        case .reconcile: ReconcileScript.source
        case .siteSettings: SiteSettingsScript.source
        case .siteRead: SiteReadScript.source
        case .tokenIssue: TokenIssueScript.source
        case .tokenRevoke: TokenRevokeScript.source
        case .cannedPut: CannedPutScript.source
        case .cannedDelete: CannedDeleteScript.source
        case .cannedRead: CannedReadScript.source
        case .hoursPut: HoursPutScript.source
        case .hoursDelete: HoursDeleteScript.source
        case .hoursRead: HoursReadScript.source
        case .historyRead: HistoryReadScript.source
        }
    }
}
