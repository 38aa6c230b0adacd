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
    /// The script arguments that come from configuration, formatted once rather than on every call.
    private let sweepLimit: String
    private let retentionMilliseconds: String
    private let historyMilliseconds: String
    private let sampleWeight: String
    private let errorSamples: String
    private let maxQueues: String
    private let maxAgents: String
    private let maxTokens: String
    private let maxSuperseded: String
    private let maxRetained: String
    private let deadlineTolerance: String
    let listedAgents: String
    private let decisionTimers = DecisionMetrics.Timers()

    public init(redis: RedisClient, configuration: BrokerConfiguration = BrokerConfiguration()) {
        self.redis = redis
        self.configuration = configuration
        self.cannedCache = CannedCache(maxSites: configuration.cannedCacheSites)
        self.sweepLimit = String(configuration.sweepLimit)
        self.retentionMilliseconds = String(configuration.retentionSeconds * 1_000)
        self.historyMilliseconds = String(configuration.historyRetentionSeconds * 1_000)
        self.sampleWeight = String(configuration.estimateSampleWeight)
        self.errorSamples = String(configuration.estimateErrorSamples)
        self.listedAgents = String(configuration.capacityListedAgents)
        self.maxQueues = String(configuration.maxQueuesPerSite)
        self.maxAgents = String(configuration.maxAgentsPerSite)
        self.maxTokens = String(configuration.maxTokensPerSite)
        self.maxSuperseded = String(configuration.maxSupersededSessions)
        self.maxRetained = String(configuration.maxRetainedPerSite)
        self.deadlineTolerance = String(configuration.deadlineToleranceMilliseconds)
    }

    // MARK: Sites and tokens

    /// Creates or updates a site (root admin only). Returns the settings now in force and whether the site is new.
    public func putSite(_ site: String, update: SiteSettingsUpdate) async throws(CoreError) -> (settings: SiteSettings, created: Bool) {
        let site = try Identifier.validate(site, field: "site")
        let update = try update.validated(maxQueues: self.configuration.maxQueuesPerSite)
        let keys = SiteKeys(site: site)
        let argument = SiteSettingsArgument(
            set: update.values,
            reserve: update.reserve,
            queues: update.queues.map { Self.unique($0).joined(separator: ",") },
            allowedOrigins: update.allowedOrigins?.joined(separator: " ")
        )
        let arguments: [String]
        do {
            arguments = [String(decoding: try JSONEncoder().encode(argument), as: UTF8.self)]
        } catch {
            throw .unavailable("encoding site settings: \(error)")
        }
        let reply: SiteReply = try await self.run(.siteSettings, keys: [keys.settings, keys.reserve], arguments: arguments)
        try await self.register(site: site)
        return (reply.settingsValue, reply.created == 1)
    }

    public func site(_ site: String, caller: Caller) async throws(CoreError) -> SiteSettings {
        let reply: SiteReply = try await self.call(.siteRead, site: site, caller: caller, roles: [.ops], arguments: [])
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
            .tokenIssue, site: site, caller: caller, roles: [.ops],
            arguments: [id, token, role.rawValue, agent ?? ""]
        )
        return IssuedToken(id: id, token: token, role: role, agent: agent)
    }

    public func revokeToken(site: String, caller: Caller, id: String) async throws(CoreError) {
        let id = try Identifier.validate(id, field: "id")
        let _: TokenReply = try await self.call(.tokenRevoke, site: site, caller: caller, roles: [.ops], arguments: [id])
    }

    // MARK: Agents

    public func presence(site: String, caller: Caller, agent: String, update: PresenceUpdate) async throws(CoreError) -> PresenceState {
        let agent = try Identifier.validate(agent, field: "agent")
        let update = try update.validated()
        return try await self.call(
            .presence, site: site, caller: caller, roles: [.agent], agent: agent,
            arguments: [agent, update.status.rawValue, String(update.maxChats), Self.unique(update.queues).joined(separator: ","), update.session]
        )
    }

    public func agentChats(site: String, caller: Caller, agent: String) async throws(CoreError) -> [ChatRecord] {
        let agent = try Identifier.validate(agent, field: "agent")
        let list: ChatList = try await self.call(.agentChats, site: site, caller: caller, roles: [.agent, .ops], agent: agent, arguments: [agent])
        return (list.chats ?? []).map(\.record)
    }

    public func firstResponse(site: String, caller: Caller, chat: String) async throws(CoreError) {
        let chat = try Identifier.validate(chat, field: "chat")
        let reply: FirstResponseReply = try await self.call(
            .firstResponse, site: site, caller: caller, roles: [.agent, .ops], arguments: [chat, self.sampleWeight, self.errorSamples]
        )
        DecisionMetrics.recordFirstResponse(reply, site: site)
    }

    public func endChat(site: String, caller: Caller, chat: String) async throws(CoreError) {
        let chat = try Identifier.validate(chat, field: "chat")
        let _: StateReply = try await self.call(.chatEnd, site: site, caller: caller, roles: [.agent, .ops], arguments: [chat, self.sampleWeight])
    }

    // MARK: Websites

    /// `locale` is kept with the invitation, so that its greeting is in the visitor's language.
    public func poll(
        site: String, caller: Caller, visitor: String, queue: String = Self.defaultQueue, locale: String? = nil
    ) async throws(CoreError) -> InvitationDecision {
        let visitor = try Identifier.validate(visitor, field: "visitor")
        let queue = try Identifier.validate(queue, field: "queue")
        try ChatRequest.validateLocale(locale)
        let reply: InvitationDecisionReply = try await self.withinHours(site: site, caller: caller) { () throws(CoreError) in
            try await self.call(
                .invitation, site: site, caller: caller, roles: [.website],
                arguments: [visitor, queue, Self.randomHex(bytes: 12), locale ?? ""]
            )
        }
        return reply.decisionValue
    }

    public func accept(
        site: String, caller: Caller, invitation: String, visitor: String, name: String?, locale: String?
    ) async throws(CoreError) -> ChatRecord {
        let invitation = try Identifier.validate(invitation, field: "invitation")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        try ChatRequest.validateName(name)
        try ChatRequest.validateLocale(locale)
        let reply: ChatReply = try await self.call(
            .accept, site: site, caller: caller, roles: [.website],
            arguments: [invitation, visitor, Self.randomHex(bytes: 12), name ?? "", locale ?? ""]
        )
        return await self.answered(reply, site: site, caller: caller)
    }

    public func decline(site: String, caller: Caller, invitation: String, visitor: String) async throws(CoreError) {
        let invitation = try Identifier.validate(invitation, field: "invitation")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        let _: StateReply = try await self.call(.decline, site: site, caller: caller, roles: [.website], arguments: [invitation, visitor])
    }

    /// Assigns or queues the chat, with its first response; a refusal (`lineFull`, `closed`) carries the visitor's
    /// message too.
    public func requestChat(site: String, caller: Caller, request: ChatRequest) async throws(CoreError) -> ChatRecord {
        let request = try request.validated()
        let arguments = [
            Self.randomHex(bytes: 12), request.visitor, request.queue, request.source.rawValue, String(request.priority),
            request.name ?? "", request.locale ?? "",
        ]
        let reply: ChatRequestReply = try await self.withinHours(site: site, caller: caller) { () throws(CoreError) in
            try await self.call(.chatRequest, site: site, caller: caller, roles: [.website, .bot, .ops], arguments: arguments)
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
        let reply: ChatReply = try await self.call(.chatView, site: site, caller: caller, roles: roles, arguments: [id, visitor ?? ""])
        return await self.answered(reply, site: site, caller: caller)
    }

    /// The visitor leaves the waiting line (its chat ends as `abandoned`); idempotent.
    public func cancelChat(site: String, caller: Caller, chat: String, visitor: String) async throws(CoreError) {
        let chat = try Identifier.validate(chat, field: "chat")
        let visitor = try Identifier.validate(visitor, field: "visitor")
        let _: StateReply = try await self.call(.chatCancel, site: site, caller: caller, roles: [.website], arguments: [chat, visitor])
    }

    // MARK: Ops

    public func capacity(site: String, caller: Caller) async throws(CoreError) -> SiteCapacity {
        try await self.call(.capacity, site: site, caller: caller, roles: [.ops], arguments: ["0", self.listedAgents])
    }

    /// Rebuilds the counters from the primary records and reports any drift; `repair` also writes the rebuilt values.
    public func reconcile(site: String, caller: Caller, repair: Bool) async throws(CoreError) -> ReconcileReport {
        try await self.call(.reconcile, site: site, caller: caller, roles: [.ops], arguments: [repair ? "1" : "0", self.deadlineTolerance])
    }

    /// One pass of the background sweeper over a site; true when due items are left for another pass.
    public func sweep(site: String) async throws(CoreError) -> Bool {
        let reply: SweepReply = try await self.call(.sweep, site: site, caller: .admin, roles: [.ops], arguments: [])
        return reply.more
    }

    /// The queue a request names when it names none.
    public static let defaultQueue = "default"

    /// The core's limits, for the layers above that report on them.
    public var limits: BrokerConfiguration { self.configuration }

    // MARK: Running scripts

    func call<Reply: Decodable>(
        _ script: Script, site: String, caller: Caller, roles: [Role], agent: String = "", arguments: [String]
    ) async throws(CoreError) -> Reply {
        let site = try Identifier.validate(site, field: "site")
        let common = [
            caller.callerArgument,
            roles.map(\.rawValue).joined(separator: ","),
            agent,
            self.sweepLimit,
            self.retentionMilliseconds,
            self.historyMilliseconds,
            caller.addressArgument,
            self.maxQueues,
            self.maxAgents,
            self.maxTokens,
            self.maxSuperseded,
            self.maxRetained,
        ]
        let start = ContinuousClock.now
        defer { self.decisionTimers.record(script, since: start) }
        return try await self.run(script, keys: [SiteKeys(site: site).settings], arguments: common + arguments)
    }

    func run<Reply: Decodable>(_ script: Script, keys: [String], arguments: [String]) async throws(CoreError) -> Reply {
        let value: RedisValue
        do {
            value = try await self.redis.evalScript(script.redisScript, keys: keys, arguments: arguments)
        } catch {
            switch error.code {
            case .server("USHER"):
                throw Refusal.error(for: error.message)
            case .server:
                // Any other error reply from one of our own scripts is a bug, not a client's fault; still fail closed.
                throw .unavailable("\(script) failed: \(error)")
            default:
                throw .unavailable(error.description)
            }
        }
        guard case .bulk(let bytes) = value else { throw .unavailable("\(script) returned \(value)") }
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(bytes))
        } catch {
            throw .unavailable("\(script) returned an unreadable reply: \(error)")
        }
    }

    /// The values in their first order, each once.
    static func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    /// Random ids and tokens from the system's cryptographic generator.
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text += String(byte >> 4, radix: 16) + String(byte & 0x0f, radix: 16)
        }
        return text
    }
}

/// The site settings script's one argument.
struct SiteSettingsArgument: Encodable {
    let set: [String: Int]
    let reserve: [String: Int]?
    let queues: String?
    let allowedOrigins: String?
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
    /// Present only on the call that recorded the first response (see `FirstResponseScript`).
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
