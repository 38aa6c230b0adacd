internal import Hummingbird
internal import UsherCore

struct SiteSettingsResponse: ResponseEncodable {
    let site: String
    let settings: SiteSettings
}

struct TokenResponse: ResponseEncodable {
    let id: String
    let token: String
    let role: Role
    let agent: String?
}

struct InvitationResponse: ResponseEncodable {
    struct Invitation: Encodable {
        let id: String
        let expiresAt: String
        let queue: String
    }

    let decision: String
    let invitation: Invitation?
    let reason: WithholdReason?
    let retryAfterSeconds: Int?

    init(_ decision: InvitationDecision) {
        switch decision {
        case .invite(let hold):
            self.decision = "invite"
            self.invitation = Invitation(id: hold.id, expiresAt: Timestamp.iso(milliseconds: hold.expiresAt), queue: hold.queue)
            self.reason = nil
            self.retryAfterSeconds = nil
        case .withhold(let reason, let retryAfterSeconds):
            self.decision = "withhold"
            self.invitation = nil
            self.reason = reason
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// A withheld invitation says when to poll again in `Retry-After` too.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(self, from: request, context: context)
        if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
        return response
    }
}

/// A chat as a visitor sees it: no agent id, nothing about other visitors.
struct VisitorChat: Encodable {
    let id: String
    let queue: String
    let state: ChatRecord.State
    let position: Int?
    let estimatedWaitSeconds: Int?
    let firstResponse: FirstResponse?
    /// On reads: whether `firstResponse` is of another kind than the one this visitor was shown before.
    let firstResponseChanged: Bool?

    init(_ chat: ChatRecord, changed: Bool?) {
        self.id = chat.id
        self.queue = chat.queue
        self.state = chat.state
        self.position = chat.position
        self.estimatedWaitSeconds = chat.estimatedWaitSeconds
        self.firstResponse = chat.firstResponse
        self.firstResponseChanged = changed
    }
}

struct VisitorChatResponse: ResponseEncodable {
    let chat: VisitorChat
}

/// A chat as its agent and ops see it.
struct AgentChat: Encodable {
    let id: String
    let queue: String
    let state: ChatRecord.State
    let source: ChatRecord.Source
    let visitor: String
    let name: String?
    let locale: String?
    let createdAt: String
    let firstResponseAt: String?

    init(_ chat: ChatRecord) {
        self.id = chat.id
        self.queue = chat.queue
        self.state = chat.state
        self.source = chat.source
        self.visitor = chat.visitor
        self.name = chat.name
        self.locale = chat.locale
        self.createdAt = Timestamp.iso(milliseconds: chat.createdAt)
        self.firstResponseAt = chat.firstResponseAt.map(Timestamp.iso(milliseconds:))
    }
}

struct AgentChatsResponse: ResponseEncodable {
    let chats: [AgentChat]
}

struct PresenceResponse: ResponseEncodable {
    let status: PresenceUpdate.Status
    let maxChats: Int
    let queues: [String]
    let activeChats: Int
    let expiresAt: String?

    init(_ state: PresenceState) {
        self.status = state.status
        self.maxChats = state.maxChats
        self.queues = state.queues
        self.activeChats = state.activeChats
        self.expiresAt = state.expiresAt > 0 ? Timestamp.iso(milliseconds: state.expiresAt) : nil
    }
}

struct CapacityResponse: ResponseEncodable {
    struct Counters: Encodable {
        let issued: Int
        let withheld: Int
        let accepted: Int
        let declined: Int
        let expired: Int
        let orphaned: Int
        let ended: Int
        let rateLimited: Int
    }

    let agents: CapacityView.Agents
    let slots: CapacityView.Slots
    let waiting: Int
    let queues: [String: CapacityView]
    let agentLoad: [SiteCapacity.AgentLoad]
    let counters: Counters

    init(_ capacity: SiteCapacity) {
        self.agents = capacity.site.agents
        self.slots = capacity.site.slots
        self.waiting = capacity.site.waiting
        self.queues = capacity.queues
        self.agentLoad = capacity.agentLoad
        self.counters = Counters(
            issued: capacity.counter(.issued),
            withheld: capacity.counter(.withheld),
            accepted: capacity.counter(.accepted),
            declined: capacity.counter(.declined),
            expired: capacity.counter(.expired),
            orphaned: capacity.counter(.orphaned),
            ended: capacity.counter(.ended),
            rateLimited: capacity.counter(.rateLimited)
        )
    }
}

struct ReconcileResponse: ResponseEncodable {
    let drift: Int
    let differences: [ReconcileReport.Difference]
    let violations: [String]

    init(_ report: ReconcileReport) {
        self.drift = report.drift
        self.differences = report.differences
        self.violations = report.violations
    }
}
