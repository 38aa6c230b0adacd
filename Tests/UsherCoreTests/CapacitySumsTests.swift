import Foundation
import RedisClient
import Testing

@testable import UsherCore

/// The capacity view reads sums that every decision keeps, not every agent.
@Suite("the capacity view's sums")
struct CapacitySumsTests {
    /// The view of the site, and of its queues, with agent counts (available, away, draining, offline).
    static func agents(_ view: CapacityView) -> [Int] {
        [view.agents.available, view.agents.away, view.agents.draining, view.agents.offline]
    }

    @Test("the sums follow holds, chats, presence changes and queue moves, and reconcile finds them as the agents are")
    func follow() async throws {
        try await CoreHarness.run { h in
            // A new site's empty sums are marked exact, so its first view builds nothing.
            #expect(try await h.raw("HGET", h.key("agg"), "~").string == "1")
            _ = try await h.online("a1", maxChats: 2)
            _ = try await h.online("a2", maxChats: 3, queues: ["default", "sales"])
            var capacity = try await h.capacity()
            #expect(capacity.site.slots == .init(total: 5, chats: 0, held: 0, free: 5))
            #expect(capacity.queues["sales"]?.slots == .init(total: 3, chats: 0, held: 0, free: 3))
            let hold = try #require(try await h.invite("v1"))
            let chat = try await h.accept(hold, visitor: "v1")
            _ = try await h.request("v2", queue: "sales")
            capacity = try await h.capacity()
            #expect(capacity.site.slots == .init(total: 5, chats: 2, held: 0, free: 3))
            #expect(Self.agents(capacity.site) == [2, 0, 0, 0])
            // a2 stops serving sales and goes away: its chat stays counted, its slots do not.
            _ = try await h.online("a2", maxChats: 3, queues: ["default"], status: .away)
            capacity = try await h.capacity()
            #expect(Self.agents(capacity.site) == [1, 1, 0, 0])
            #expect(capacity.queues["sales"].map(Self.agents) == [0, 0, 0, 0])
            #expect(capacity.queues["sales"]?.slots == .init(total: 0, chats: 0, held: 0, free: 0))
            #expect(capacity.queues["default"].map(Self.agents) == [1, 1, 0, 0])
            #expect(capacity.site.slots.total == 2)
            #expect(capacity.site.slots.chats == 2)
            try await h.end(chat.id)
            _ = try await h.online("a1", maxChats: 1, status: .offline)
            capacity = try await h.capacity()
            #expect(Self.agents(capacity.site) == [0, 1, 0, 1])
            #expect(capacity.site.slots == .init(total: 0, chats: 1, held: 0, free: 0))
            let report = try await h.drift()
            #expect(report.drift == 0, "\(report.differences)")
            #expect(report.violations.isEmpty)
        }
    }

    @Test("the view lists agents by id from the index, a page at a time, and reconcile finds an index that lost one")
    func listed() async throws {
        try await CoreHarness.run(configuration: BrokerConfiguration(capacityListedAgents: 2)) { h in
            for agent in ["c3", "a1", "b2", "d4"] { _ = try await h.online(agent, maxChats: 1) }
            #expect(try await h.capacity().agentLoad.map(\.agent) == ["a1", "b2"])
            // The next page starts after the last id of the one before.
            #expect(try await h.broker.capacity(site: h.site, caller: h.admin, agentsAfter: "b2").agentLoad.map(\.agent) == ["c3", "d4"])
            #expect(try await h.broker.capacity(site: h.site, caller: h.admin, agentsAfter: "d4").agentLoad.isEmpty)
            let invalid = CoreError.invalid(field: "agentsAfter", message: "agentsAfter may contain only letters, digits, '.', '_' and '-'")
            await #expect(throws: invalid) {
                _ = try await h.broker.capacity(site: h.site, caller: h.admin, agentsAfter: "b 2")
            }
            try await h.raw("ZREM", h.key("agent-ids"), "b2")
            let report = try await h.drift()
            #expect(report.differences.contains { $0.what == "agents in the index by id" && $0.stored == 3 && $0.actual == 4 })
            _ = try await h.broker.reconcile(site: h.site, caller: h.admin, repair: true)
            #expect(try await h.capacity().agentLoad.map(\.agent) == ["a1", "b2"])
            #expect(try await h.drift().drift == 0)
        }
    }

    @Test("agents past their heartbeat that no sweep has reached yet count as offline")
    func lapsedBeforeSwept() async throws {
        // One lapse a sweep: the view's own sweep leaves two of the three for later.
        try await CoreHarness.run(settings: ["heartbeatSeconds": 1], configuration: BrokerConfiguration(sweepLimit: 1), privateServer: true) { h in
            for agent in ["a1", "a2", "a3"] { _ = try await h.online(agent, maxChats: 2) }
            _ = try await h.online("a4", maxChats: 2, status: .away)
            try await Task.sleep(for: .milliseconds(1_200))
            let capacity = try await h.capacity()
            #expect(Self.agents(capacity.site) == [0, 0, 0, 4])
            #expect(capacity.site.slots == .init(total: 0, chats: 0, held: 0, free: 0))
            #expect(capacity.queues["default"].map(Self.agents) == [0, 0, 0, 4])
        }
    }

    @Test("the view counts as they are now only as many agents of a lapse backlog as configured, the rest as they were")
    func lapsedBacklogBounded() async throws {
        let configuration = BrokerConfiguration(sweepLimit: 1, capacityCorrectedAgents: 1)
        // A private server: other tests' instances sweep every site of the shared one, and would take the backlog.
        try await CoreHarness.run(settings: ["heartbeatSeconds": 1], configuration: configuration, privateServer: true) { h in
            for agent in ["a1", "a2", "a3"] { _ = try await h.online(agent, maxChats: 2) }
            _ = try await h.online("a4", maxChats: 2, status: .away)
            try await Task.sleep(for: .milliseconds(1_200))
            // The view's sweep lapses a1, it corrects a2, and a3 and a4 count as they last added until swept.
            let capacity = try await h.capacity()
            #expect(Self.agents(capacity.site) == [1, 1, 0, 2])
            #expect(capacity.site.slots == .init(total: 2, chats: 0, held: 0, free: 2))
        }
    }

    @Test("reconcile takes agents past their heartbeat that no sweep has reached as the sums hold them: no drift")
    func reconcileBeforeSwept() async throws {
        try await CoreHarness.run(settings: ["heartbeatSeconds": 1], privateServer: true) { h in
            _ = try await h.online("a1", maxChats: 2)
            _ = try await h.online("a2", maxChats: 2, status: .away)
            try await Task.sleep(for: .milliseconds(1_200))
            // Reconcile sweeps nothing: both are due, and neither's lapse has moved the sums yet.
            let report = try await h.drift()
            #expect(report.differences.isEmpty, "\(report.differences)")
            #expect(Self.agents(try await h.capacity().site) == [0, 0, 0, 2])
            #expect(try await h.drift().drift == 0)
        }
    }

    @Test("an agent's unreadable share counts as nothing added: decisions go on, reconcile finds the drift and repairs it")
    func unreadableShare() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2)
            _ = try await h.online("a2", maxChats: 3)
            try await h.raw("HSET", h.key("agent:a1"), "agg", "available two")
            // A decision that moves a1's share reads the record it cannot parse as nothing, and adds a1 again.
            _ = try #require(try await h.invite("v1"))
            _ = try await h.online("a1", maxChats: 2)
            let report = try await h.drift()
            #expect(report.drift > 0)
            #expect(report.differences.contains { $0.what == "capacity sum agg available" && $0.stored == 3 && $0.actual == 2 })
            _ = try await h.broker.reconcile(site: h.site, caller: h.admin, repair: true)
            #expect(try await h.drift().drift == 0)
            #expect(Self.agents(try await h.capacity().site) == [2, 0, 0, 0])
        }
    }

    @Test("a repair builds the index of agents from the agents alone: an id with no agent leaves it")
    func indexRebuilt() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2)
            try await h.raw("ZADD", h.key("agent-ids"), "0", "ghost")
            #expect(try await h.capacity().agentLoad.map(\.agent) == ["a1"])
            let report = try await h.drift()
            #expect(report.differences.contains { $0.what == "agents in the index by id" && $0.stored == 2 && $0.actual == 1 })
            _ = try await h.broker.reconcile(site: h.site, caller: h.admin, repair: true)
            #expect(try await h.raw("ZRANGE", h.key("agent-ids"), "0", "-1") == .array([.bulk(Array("a1".utf8))]))
            #expect(try await h.drift().drift == 0)
        }
    }

    @Test("a site whose sums predate them gets them built by its first view, and reconcile repairs sums that drifted")
    func rebuilt() async throws {
        // A private server: on the shared one another test's sampler may read this site's capacity, and so build
        // its sums, between the deletes below.
        try await CoreHarness.run(privateServer: true) { h in
            _ = try await h.online("a1", maxChats: 2)
            _ = try await h.online("a2", maxChats: 3, queues: ["default", "sales"])
            _ = try #require(try await h.invite("v1"))
            let expected = try await h.capacity()
            // As a site made before the sums: none, and no agent's share.
            try await h.raw("DEL", h.key("agg"), h.key("q:default:agg"), h.key("q:sales:agg"), h.key("agent-ids"))
            try await h.raw("HDEL", h.key("agent:a1"), "agg")
            try await h.raw("HDEL", h.key("agent:a2"), "agg")
            #expect(try await h.drift().drift == 0)
            // A decision before the first view moves sums that are not there yet; the view builds them anyway.
            _ = try #require(try await h.invite("v2"))
            let built = try await h.capacity()
            #expect(built.site.slots == .init(total: 5, chats: 0, held: 2, free: 3))
            #expect(built.queues["sales"]?.slots.total == expected.queues["sales"]?.slots.total)
            #expect(built.agentLoad.map(\.agent) == ["a1", "a2"])
            #expect(try await h.drift().drift == 0)
            // A sum that drifted is reported, and a repair builds them all again.
            try await h.raw("HINCRBY", h.key("agg"), "free", "7")
            let report = try await h.drift()
            #expect(report.differences.contains { $0.what == "capacity sum agg free" && $0.stored == 10 && $0.actual == 3 })
            _ = try await h.broker.reconcile(site: h.site, caller: h.admin, repair: true)
            #expect(try await h.drift().drift == 0)
            #expect(try await h.capacity().site.slots.free == 3)
        }
    }
}
