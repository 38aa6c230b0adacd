internal import RedisClient

/// Every Lua script of the core, registered with the Redis client so that each connection loads them all.
enum Script: CaseIterable {
    case presence, invitation, accept, decline, chatRequest, chatView, chatCancel, chatEnd, firstResponse, agentChats
    case sweep
    case capacity, reconcile, siteSettings, siteRead, tokenIssue, tokenRevoke
    case cannedPut, cannedDelete, cannedRead, hoursPut, hoursDelete, hoursRead, historyRead

    var redisScript: RedisScript { Self.compiled[self]! }

    private static let compiled: [Script: RedisScript] = Dictionary(
        uniqueKeysWithValues: Self.allCases.map { ($0, RedisScript(name: "\($0)", source: $0.source)) }
    )

    private var source: String {
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
