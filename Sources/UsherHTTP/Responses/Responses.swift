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

/// The answer to a poll, the request a site sends on every page view: written straight into the body rather than
/// through `JSONEncoder` (which took a twentieth of a withheld poll's CPU), with the same fields and escaping.
struct InvitationResponse: ResponseGenerator {
    let decision: InvitationDecision

    init(_ decision: InvitationDecision) {
        self.decision = decision
    }

    /// A withheld invitation says when to poll again in `Retry-After` too.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONText()
        let retryAfter: Int?
        switch self.decision {
        case .invite(let hold):
            json.append(#"{"decision":"invite","invitation":{"id":"#)
            json.append(string: hold.id)
            json.append(#","expiresAt":"#)
            json.append(string: Timestamp.iso(milliseconds: hold.expiresAt))
            json.append(#","queue":"#)
            json.append(string: hold.queue)
            json.append("}}")
            retryAfter = nil
        case .withhold(let reason, let retryAfterSeconds):
            json.append(#"{"decision":"withhold","reason":"#)
            json.append(string: reason.rawValue)
            json.append(#","retryAfterSeconds":"#)
            json.append(String(retryAfterSeconds))
            json.append("}")
            retryAfter = retryAfterSeconds
        }
        // The headers `JSONEncoder`'s response has.
        var headers = HTTPFields()
        headers.reserveCapacity(3)
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(json.buffer.readableBytes)
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: json.buffer))
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
