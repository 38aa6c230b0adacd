internal import Foundation
public import RedisClient

/// The capacity core: every operation is one Lua script, run atomically in Redis on Redis's clock, so any number of
/// Usher instances sharing a Redis act as one. Validates its input before anything reaches a key.
public struct Broker: Sendable {
    /// The scripts the Redis client must load on every connection.
    public static let scripts: [RedisScript] = Script.allCases.map(\.redisScript)

    let redis: RedisClient
    let configuration: BrokerConfiguration
    /// This instance's parsed canned messages, shared by every copy of this broker.
    let cannedCache: CannedCache
    /// The prelude's arguments that come from configuration, formatted once rather than on every call.
    private let preludeLimits: PreludeArguments.Limits
    /// The decay weight of a new estimate sample, computed once.
    private let sampleWeight: Double
    private let decisionTimers = DecisionMetrics.Timers()
    /// The polls waiting for their site and token's call in flight, shared by every copy of this broker.
    private let polls: Batcher<InvitationArguments.Poll, InvitationDecision>

    public init(redis: RedisClient, configuration: BrokerConfiguration = BrokerConfiguration()) {
        self.redis = redis
        self.configuration = configuration
        self.cannedCache = CannedCache(maxSites: configuration.cannedCacheSites)
        self.preludeLimits = PreludeArguments.Limits(configuration)
        self.sampleWeight = configuration.estimateSampleWeight
        self.polls = Batcher(
            maxItems: configuration.pollBatchMax, maxInFlight: configuration.pollCallsInFlight, maxWaiting: configuration.pollWaitingMax
        )
    }

    // MARK: Sites and tokens

    /// Creates or updates a site (root admin only). Returns the settings now in force and whether the site is new.
    public func putSite(
        _ site: String, caller: Caller, update: SiteSettingsUpdate
    ) async throws(CoreError) -> (settings: SiteSettings, created: Bool) {
        guard case .admin = caller else { throw .adminOnly }
        let site = try Identifier.validate(site, field: "site")
        let update = try update.validated(maxQueues: self.configuration.maxQueuesPerSite)
        let keys = SiteKeys(site: site)
        let arguments = try SiteSettingsArguments(
            set: update.values,
            reserve: update.reserve,
            queues: update.queues.map { Self.unique($0).joined(separator: ",") },
            allowedOrigins: update.allowedOrigins?.joined(separator: " ")
        ).rendered()
        let reply: SiteReply = try await self.run(.siteSettings, keys: [keys.settings, keys.reserve, keys.key(.agg)], arguments: arguments)
        try await self.register(site: site)
        return (reply.settingsValue, reply.created == 1)
    }

    public func site(_ site: String, caller: Caller) async throws(CoreError) -> SiteSettings {
        let reply: SiteReply = try await self.call(PreludeOnlyArguments(script: .siteRead), site: site, caller: caller, roles: [.ops])
        return reply.settingsValue
    }

    public func issueToken(site: String, caller: Caller, role: Role, agent: String?) async throws(CoreError) -> IssuedToken {
        if role == .agent {
            guard let agent else { throw .invalid(field: "agent", message: "an agent token names its agent") }
            _ = try Identifier.validate(agent, field: "agent")
        } else if agent != nil {
            throw .invalid(field: "agent", message: "only agent tokens name an agent")
        }
        let id = Self.randomHex(bytes: 8)
        let token = "usr_" + Self.randomHex(bytes: 32)
        let _: TokenReply = try await self.call(
            TokenIssueArguments(id: id, token: token, role: role, agent: agent), site: site, caller: caller, roles: [.ops]
        )
        return IssuedToken(id: id, token: token, role: role, agent: agent)
    }

    public func revokeToken(site: String, caller: Caller, id: String) async throws(CoreError) {
        let id = try Identifier.validate(id, field: "id")
        let _: TokenReply = try await self.call(TokenRevokeArguments(id: id), site: site, caller: caller, roles: [.ops])
    }

    // MARK: Agents

    public func presence(site: String, caller: Caller, agent: String, update: PresenceUpdate) async throws(CoreError) -> PresenceState {
        let agent = try Identifier.validate(agent, field: "agent")
        let update = try update.validated()
        let arguments = PresenceArguments(
            agent: agent, status: update.status, maxChats: update.maxChats, queues: Self.unique(update.queues), session: update.session
        )
        return try await self.call(arguments, site: site, caller: caller, roles: [.agent], agent: agent)
    }

    public func agentChats(site: String, caller: Caller, agent: String) async throws(CoreError) -> [ChatRecord] {
        let agent = try Identifier.validate(agent, field: "agent")
        let list: ChatList = try await self.call(
            AgentChatsArguments(agent: agent), site: site, caller: caller, roles: [.agent, .ops], agent: agent
        )
        return (list.chats ?? []).map(\.record)
    }

    public func firstResponse(site: String, caller: Caller, chat: String) async throws(CoreError) {
        let chat = try Identifier.validate(chat, field: "chat")
        let arguments = FirstResponseArguments(chat: chat, sampleWeight: self.sampleWeight, keptSamples: self.configuration.estimateErrorSamples)
        let reply: FirstResponseReply = try await self.call(arguments, site: site, caller: caller, roles: [.agent, .ops])
        DecisionMetrics.recordFirstResponse(reply, site: site)
    }

    public func endChat(site: String, caller: Caller, chat: String) async throws(CoreError) {
        let chat = try Identifier.validate(chat, field: "chat")
        let arguments = ChatEndArguments(chat: chat, sampleWeight: self.sampleWeight)
        let _: StateReply = try await self.call(arguments, site: site, caller: caller, roles: [.agent, .ops])
    }

    // MARK: Websites

    /// `locale` is kept with the invitation, so that its greeting is in the visitor's language. Internal: what may
    /// call it from outside is the poll that fails closed, `poll(_:site:caller:unavailableRetrySeconds:unreachable:)`.
    func poll(
        site: String, caller: Caller, visitor: String, queue: String = Self.defaultQueue, locale: String? = nil
    ) async throws(CoreError) -> InvitationDecision {
        let site = try Identifier.validate(site, field: "site")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        let queue = try Identifier.validate(queue, field: "queue")
        try ChatRequest.validateLocale(locale)
        let poll = InvitationArguments.Poll(visitor: visitor, queue: queue, locale: locale, address: caller.addressArgument)
        return try await self.withinHours(site: site, caller: caller) { () throws(CoreError) in
            try await self.decide(poll, site: site, caller: caller)
        }
    }

    /// One poll, decided in one call with the others of its site and token that are waiting (see `Batcher`); its
    /// latency, waiting included, is the decision's.
    private func decide(_ poll: InvitationArguments.Poll, site: String, caller: Caller) async throws(CoreError) -> InvitationDecision {
        let start = ContinuousClock.now
        defer { self.decisionTimers.record(.invitation, since: start) }
        // The token is the key: a call is authorized once, for all its polls. Site ids hold no space.
        let outcome = await self.polls.submit(poll, key: site + " " + caller.callerArgument) { polls in
            let arguments = InvitationArguments(seed: Self.randomHex(bytes: 16), polls: polls)
            let prelude = PreludeArguments(caller: caller, roles: [.website], agent: "", limits: self.preludeLimits)
            do throws(CoreError) {
                let reply = try await self.evaluate(
                    .invitation, keys: [SiteKeys(site: site).settings], arguments: prelude.rendered(followedBy: arguments.rendered)
                )
                // The batcher fails every poll closed if the count is not theirs.
                return try PollOutcome.outcomes(reply)
            } catch {
                return Array(repeating: .failure(error), count: polls.count)
            }
        }
        return try outcome.get()
    }

    public func accept(
        site: String, caller: Caller, invitation: String, visitor: String, name: String?, locale: String?
    ) async throws(CoreError) -> ChatRecord {
        let invitation = try Identifier.validate(invitation, field: "invitation")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        try ChatRequest.validateName(name)
        try ChatRequest.validateLocale(locale)
        let arguments = AcceptArguments(invitation: invitation, visitor: visitor, chat: Self.randomHex(bytes: 12), name: name, locale: locale)
        let reply: ChatReply = try await self.call(arguments, site: site, caller: caller, roles: [.website])
        return await self.answered(reply, site: site, caller: caller)
    }

    public func decline(site: String, caller: Caller, invitation: String, visitor: String) async throws(CoreError) {
        let invitation = try Identifier.validate(invitation, field: "invitation")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        let _: StateReply = try await self.call(
            DeclineArguments(invitation: invitation, visitor: visitor), site: site, caller: caller, roles: [.website]
        )
    }

    /// Assigns or queues the chat, with its first response; a refusal (`lineFull`, `closed`) carries the visitor's
    /// message too.
    public func requestChat(site: String, caller: Caller, request: ChatRequest) async throws(CoreError) -> ChatRecord {
        let request = try request.validated()
        let arguments = ChatRequestArguments(
            chat: Self.randomHex(bytes: 12), visitor: request.visitor, queue: request.queue, source: request.source, priority: request.priority,
            name: request.name, locale: request.locale
        )
        let reply: ChatRequestReply = try await self.withinHours(site: site, caller: caller) { () throws(CoreError) in
            try await self.call(arguments, site: site, caller: caller, roles: [.website, .bot, .ops])
        }
        switch reply {
        case .chat(let chat):
            return await self.answered(chat, site: site, caller: caller)
        case .refused(let refusal):
            let opensAt = refusal.opensAt.map { OpeningFormatter.format($0, timeZone: refusal.timeZone, locale: request.locale) }
            let variables = TemplateVariables(visitorName: request.name, queue: request.queue, opensAt: opensAt)
            let message = await self.render(
                .unavailable, site: site, caller: caller, version: refusal.cannedVersion ?? 0, locale: request.locale,
                variables: variables
            )
            if refusal.refused == "closed" { throw .closed(opensAt: refusal.opensAt, message) }
            throw .lineFull(message)
        }
    }

    /// One chat as its visitor sees it; `visitor` nil lets ops read any chat of the site.
    public func chat(site: String, caller: Caller, id: String, visitor: String?) async throws(CoreError) -> ChatRecord {
        let id = try Identifier.validate(id, field: "chat")
        let visitor = try visitor.map { value throws(CoreError) in try Identifier.validate(value, field: "visitor") }
        let roles: [Role] = visitor == nil ? [.ops] : [.website, .ops]
        let reply: ChatReply = try await self.call(ChatViewArguments(chat: id, visitor: visitor), site: site, caller: caller, roles: roles)
        return await self.answered(reply, site: site, caller: caller)
    }

    /// The visitor leaves the waiting line (its chat ends as `abandoned`); idempotent.
    public func cancelChat(site: String, caller: Caller, chat: String, visitor: String) async throws(CoreError) {
        let chat = try Identifier.validate(chat, field: "chat")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        let _: StateReply = try await self.call(
            ChatCancelArguments(chat: chat, visitor: visitor), site: site, caller: caller, roles: [.website]
        )
    }

    // MARK: Ops

    /// `agentsAfter`: list the agents whose id comes after this one (the last of the previous page).
    public func capacity(site: String, caller: Caller, agentsAfter: String? = nil) async throws(CoreError) -> SiteCapacity {
        let after = try agentsAfter.map { id throws(CoreError) in try Identifier.validate(id, field: "agentsAfter") } ?? ""
        let arguments = CapacityArguments(
            leaseMilliseconds: 0, listedAgents: self.configuration.capacityListedAgents, agentsAfter: after,
            correctedAgents: self.configuration.capacityCorrectedAgents, foldMinutes: self.configuration.historyFoldMinutes
        )
        return try await self.call(arguments, site: site, caller: caller, roles: [.ops])
    }

    /// Rebuilds the counters from the primary records and reports any drift; `repair` also writes the rebuilt values.
    public func reconcile(site: String, caller: Caller, repair: Bool) async throws(CoreError) -> ReconcileReport {
        let arguments = ReconcileArguments(repair: repair, toleranceMilliseconds: self.configuration.deadlineToleranceMilliseconds)
        return try await self.call(arguments, site: site, caller: caller, roles: [.ops])
    }

    /// One pass of the background sweeper over a site; true when due items are left for another pass.
    public func sweep(site: String) async throws(CoreError) -> Bool {
        let reply: SweepReply = try await self.call(PreludeOnlyArguments(script: .sweep), site: site, caller: .admin, roles: [.ops])
        return reply.more
    }

    /// The queue a request names when it names none.
    public static let defaultQueue = "default"

    /// The core's limits, for the layers above that report on them.
    public var limits: BrokerConfiguration { self.configuration }

    // MARK: Running scripts

    /// Runs a script, after the prelude, on the site: `roles` may call it, and an agent token only as `agent` when given.
    func call<Reply: Decodable>(
        _ arguments: some ScriptArguments, site: String, caller: Caller, roles: [Role], agent: String = ""
    ) async throws(CoreError) -> Reply {
        let site = try Identifier.validate(site, field: "site")
        let prelude = PreludeArguments(caller: caller, roles: roles, agent: agent, limits: self.preludeLimits)
        let script = arguments.script
        let start = ContinuousClock.now
        defer { self.decisionTimers.record(script, since: start) }
        return try await self.run(script, keys: [SiteKeys(site: site).settings], arguments: prelude.rendered(followedBy: arguments.rendered))
    }

    func run<Reply: Decodable>(_ script: Script, keys: [String], arguments: [String]) async throws(CoreError) -> Reply {
        let value = try await self.evaluate(script, keys: keys, arguments: arguments)
        guard case .bulk(let bytes) = value else { throw .unavailable("\(script) returned \(value)") }
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(bytes))
        } catch {
            throw .unavailable("\(script) returned an unreadable reply: \(error)")
        }
    }

    /// A script's reply as Redis sent it; a refusal as the core's error.
    func evaluate(_ script: Script, keys: [String], arguments: [String]) async throws(CoreError) -> RedisValue {
        do {
            return try await self.redis.evalScript(script.redisScript, keys: keys, arguments: arguments)
        } catch {
            switch error.code {
            case .server("USHER"):
                throw Refusal.error(for: error.message)
            case .server:
                // Any other error reply from one of our own scripts is a bug, not a client's fault; still fail closed,
                // and name the line in its file.
                throw .unavailable("\(script) failed: \(script.text.located("\(error)"))")
            default:
                throw .unavailable(error.description)
            }
        }
    }

    /// The values in their first order, each once.
    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    /// Random ids and tokens from the system's cryptographic generator, eight bytes a draw (a draw is a system call).
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes * 2)
        var word: UInt64 = 0
        for index in 0..<bytes {
            if index % 8 == 0 { word = generator.next() }
            let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
            digits.append(Self.hexDigits[Int(byte >> 4)])
            digits.append(Self.hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: digits, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

struct SweepReply: Decodable {
    let more: Bool
}

struct StateReply: Decodable {
    let state: String?
}

struct TokenReply: Decodable {
    let id: String
}

struct FirstResponseReply: Decodable {
    let firstResponseAt: Int64
    /// Present only on the call that recorded the first response (see firstResponse.lua).
    let queue: String?
    let ttfrMs: Int64?
    let waitMs: Int64?
    let sample: String?
}

struct SiteReply: Decodable {
    let created: Int?
    let settings: [String: String]
    let reserve: [String: String]?

    var settingsValue: SiteSettings {
        var settings = SiteSettings.defaults
        for entry in SiteSettings.fields {
            if let text = self.settings[entry.name], let value = Int(text) {
                settings[keyPath: entry.keyPath] = value
            }
        }
        settings.allowedOrigins = (self.settings["allowedOrigins"] ?? "").split(separator: " ").map(String.init)
        settings.queues = (self.settings["queues"] ?? "").split(separator: ",").map(String.init)
        settings.reserve = (self.reserve ?? [:]).compactMapValues { Int($0) }
        return settings
    }
}
