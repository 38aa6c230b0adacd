import Foundation
import RedisClient
import RedisTestSupport

@testable import UsherCore

/// A broker on a real Redis with a site of its own, so tests never see each other's state.
struct CoreHarness: Sendable {
    let broker: Broker
    /// The same Redis, for forging records and reading them back as they are stored.
    let redis: RedisClient
    let site: String
    let admin = Caller.admin

    /// `instances` brokers on separate Redis clients, as separate Usher processes would be, sharing one site.
    /// `privateServer`: on a Redis of the test's own, where no other test's instances sweep or sample the site.
    static func runInstances<T: Sendable>(
        _ instances: Int,
        settings: [String: Int] = [:],
        reserve: [String: Int]? = nil,
        configuration: BrokerConfiguration = BrokerConfiguration(),
        privateServer: Bool = false,
        _ body: ([CoreHarness]) async throws -> T
    ) async throws -> T {
        func onSite(_ redis: RedisConfiguration) async throws -> T {
            try await Self.withClients(redis, count: instances) { clients in
                let site = "t-" + UUID().uuidString.prefix(12).lowercased()
                let harnesses = clients.map { CoreHarness(broker: Broker(redis: $0, configuration: configuration), redis: $0, site: site) }
                _ = try await harnesses[0].broker.putSite(site, caller: .admin, update: SiteSettingsUpdate(values: settings, reserve: reserve))
                return try await body(harnesses)
            }
        }
        guard privateServer else { return try await TestRedis.withConfiguration(onSite) }
        return try await TestRedis.withPrivateServer { server in try await onSite(RedisConfiguration(port: server.port)) }
    }

    static func run<T: Sendable>(
        settings: [String: Int] = [:],
        reserve: [String: Int]? = nil,
        configuration: BrokerConfiguration = BrokerConfiguration(),
        privateServer: Bool = false,
        _ body: (CoreHarness) async throws -> T
    ) async throws -> T {
        try await Self.runInstances(1, settings: settings, reserve: reserve, configuration: configuration, privateServer: privateServer) {
            try await body($0[0])
        }
    }

    /// A fresh website token of this site, for what only a website's calls do (rate limits, per-address caps).
    func websiteToken() async throws -> String {
        try await self.broker.issueToken(site: self.site, caller: self.admin, role: .website, agent: nil).token
    }

    /// A key of this site, as the scripts name it.
    func key(_ rest: String) -> String { "usher:{\(self.site)}:" + rest }

    /// A raw command on the site's Redis.
    @discardableResult
    func raw(_ command: String...) async throws -> RedisValue { try await self.redis.send(command) }

    /// Several clients, as several Usher instances sharing one Redis would have.
    private static func withClients<T: Sendable>(
        _ configuration: RedisConfiguration,
        count: Int,
        _ body: ([RedisClient]) async throws -> T
    ) async throws -> T {
        if count == 0 { return try await body([]) }
        return try await TestRedis.withClient(configuration, scripts: Broker.scripts) { client in
            try await Self.withClients(configuration, count: count - 1) { others in try await body([client] + others) }
        }
    }

    func online(
        _ agent: String, maxChats: Int = 2, queues: [String] = ["default"], status: PresenceUpdate.Status = .available, session: String = "s1"
    )
        async throws -> PresenceState
    {
        try await self.broker.presence(
            site: self.site, caller: self.admin, agent: agent,
            update: PresenceUpdate(status: status, maxChats: maxChats, queues: queues, session: session)
        )
    }

    func poll(_ visitor: String, queue: String = "default") async throws -> InvitationDecision {
        try await self.broker.poll(site: self.site, caller: self.admin, visitor: visitor, queue: queue)
    }

    func invite(_ visitor: String, queue: String = "default") async throws -> InvitationHold? {
        if case .invite(let hold) = try await self.poll(visitor, queue: queue) { return hold }
        return nil
    }

    func accept(_ hold: InvitationHold, visitor: String) async throws -> ChatRecord {
        try await self.broker.accept(site: self.site, caller: self.admin, invitation: hold.id, visitor: visitor, name: nil, locale: nil)
    }

    func request(_ visitor: String, source: ChatRecord.Source = .reactive, priority: Int = 0, queue: String = "default") async throws -> ChatRecord {
        try await self.broker.requestChat(
            site: self.site, caller: self.admin,
            request: ChatRequest(visitor: visitor, queue: queue, source: source, priority: priority)
        )
    }

    func end(_ chat: String) async throws {
        try await self.broker.endChat(site: self.site, caller: self.admin, chat: chat)
    }

    func firstResponse(_ chat: String) async throws {
        try await self.broker.firstResponse(site: self.site, caller: self.admin, chat: chat)
    }

    func chat(_ id: String) async throws -> ChatRecord {
        try await self.broker.chat(site: self.site, caller: self.admin, id: id, visitor: nil)
    }

    func capacity() async throws -> SiteCapacity {
        try await self.broker.capacity(site: self.site, caller: self.admin)
    }

    func drift() async throws -> ReconcileReport {
        try await self.broker.reconcile(site: self.site, caller: self.admin, repair: false)
    }
}
