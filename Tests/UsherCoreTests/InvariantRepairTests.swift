import Foundation
import RedisClient
import RedisTestSupport
import Testing

@testable import UsherCore

/// The invariants of PRODUCT.md where they were found broken: each test drives the case that broke them.
@Suite("invariants under an agent's own changes")
struct AgentChangeInvariantTests {
    @Test("lowering maxChats releases the holds beyond the new limit at once, and no accept puts the agent over it")
    func loweringReleasesHolds() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 3)
            var holds: [(String, InvitationHold)] = []
            for visitor in ["v1", "v2", "v3"] {
                holds.append((visitor, try #require(try await h.invite(visitor))))
            }
            _ = try await h.online("a1", maxChats: 1)
            let load = try #require(try await h.capacity().agentLoad.first)
            #expect(load.chats + load.held <= 1)
            for (visitor, hold) in holds {
                _ = try? await h.accept(hold, visitor: visitor)
            }
            let after = try #require(try await h.capacity().agentLoad.first)
            #expect(after.chats + after.held <= 1)
            #expect(try await h.drift().violations.isEmpty)
        }
    }

    @Test("an agent that leaves a queue releases its holds for it, and accepting one never assigns it there")
    func leavingQueueReleasesHolds() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2, queues: ["default", "sales"])
            let hold = try #require(try await h.invite("v1", queue: "sales"))
            _ = try await h.online("a1", maxChats: 2, queues: ["default"])
            #expect(try await h.capacity().site.slots.held == 0)
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.agent != "a1")
            #expect(chat.state == .waiting)
        }
    }

    @Test("an explicit offline with chats open closes them as orphaned after the grace period")
    func offlineOrphans() async throws {
        try await CoreHarness.run(settings: ["orphanGraceSeconds": 1]) { h in
            _ = try await h.online("a1", maxChats: 2)
            let chat = try await h.request("v1")
            #expect(chat.agent == "a1")
            _ = try await h.online("a1", maxChats: 2, status: .offline)
            try await TestRedis.eventually("the chat is orphaned", seconds: 10) {
                (try? await h.chat(chat.id).state) == .orphaned
            }
            let back = try await h.online("a1", maxChats: 2)
            #expect(back.activeChats == 0)
        }
    }

    @Test("a superseded session never returns, however long ago it was replaced")
    func supersededNeverReturns() async throws {
        try await CoreHarness.run(configuration: BrokerConfiguration(retentionSeconds: 1)) { h in
            _ = try await h.online("a1", session: "old")
            _ = try await h.online("a1", session: "new")
            try await Task.sleep(for: .milliseconds(1_500))
            await #expect(throws: CoreError.superseded) { try await h.online("a1", session: "old") }
            _ = try await h.online("a1", session: "new")
        }
    }
}

@Suite("invariants of invitations and holds")
struct HoldInvariantTests {
    @Test("a released invitation never jumps the line: accepted with nobody free, it waits behind an escalation")
    func releasedInvitationWaitsInLine() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            _ = try await h.online("a1", maxChats: 1, status: .away)
            let escalation = try await h.request("bot-visitor", source: .escalation)
            #expect(escalation.state == .waiting)
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.state == .waiting)
            #expect(chat.position == 2)
        }
    }

    @Test("a released invitation expires at its original deadline")
    func releasedInvitationExpires() async throws {
        try await CoreHarness.run(settings: ["holdSeconds": 1]) { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            _ = try await h.online("a1", maxChats: 1, status: .away)
            try await Task.sleep(for: .milliseconds(1_200))
            await #expect(throws: CoreError.gone("the invitation has expired")) { try await h.accept(hold, visitor: "v1") }
            #expect(try await h.capacity().site.waiting == 0)
        }
    }

    @Test("an expired hold never counts and starts the cooldown, however many are left to sweep")
    func expiredHoldsNeverCount() async throws {
        try await CoreHarness.run(settings: ["holdSeconds": 1], configuration: BrokerConfiguration(sweepLimit: 1)) { h in
            _ = try await h.online("a1", maxChats: 5)
            for visitor in ["v1", "v2", "v3", "v4", "v5"] {
                #expect(try await h.invite(visitor) != nil)
            }
            try await Task.sleep(for: .milliseconds(1_200))
            // The visitor whose hold the per-call sweep would reach last.
            #expect(try await h.poll("v5") == .withhold(reason: .cooldown, retryAfterSeconds: 600))
            #expect(try await h.capacity().site.slots.held == 0)
        }
    }

    @Test("a missing invitation record at the head of the holds blocks no sweep")
    func missingRecordBlocksNothing() async throws {
        try await CoreHarness.run(settings: ["holdSeconds": 1], configuration: BrokerConfiguration(sweepLimit: 1)) { h in
            try await h.raw("ZADD", h.key("holds"), "0", "ghost")
            _ = try await h.online("a1", maxChats: 1)
            _ = try #require(try await h.invite("v1"))
            try await Task.sleep(for: .milliseconds(1_200))
            _ = try await h.capacity()
            _ = try await h.capacity()
            #expect(try await h.raw("ZCARD", h.key("holds")).int == 0)
            #expect(try await h.invite("v2") != nil)
        }
    }

    @Test("each deadline set's bound in `due` is never later than its earliest deadline, so no due item is skipped")
    func dueBoundsLead() async throws {
        try await CoreHarness.run(settings: ["orphanGraceSeconds": 60]) { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            _ = try await h.accept(hold, visitor: "v1")
            _ = try await h.online("a1", maxChats: 1, status: .offline)
            _ = try await h.online("a2", maxChats: 1)
            _ = try #require(try await h.invite("v2"))
            _ = try await h.request("v3")
            for set in ["holds", "presence", "orphans", "waitdue"] {
                let first = try #require(try await h.raw("ZRANGE", h.key(set), "0", "0", "WITHSCORES").array)
                #expect(first.count == 2, "\(set) is empty")
                let earliest = try #require(first.last?.string.flatMap(Double.init))
                let bound = try #require(try await h.raw("ZSCORE", h.key("due"), h.key(set)).string.flatMap(Double.init))
                #expect(bound <= earliest, "the bound of \(set) is past its earliest deadline")
            }
        }
    }

    @Test("a site without the deadline bounds (made before them) sweeps every set at its next call")
    func missingBoundsSweepAll() async throws {
        try await CoreHarness.run(settings: ["holdSeconds": 1, "cooldownSeconds": 60]) { h in
            _ = try await h.online("a1", maxChats: 1)
            _ = try #require(try await h.invite("v1"))
            try await h.raw("DEL", h.key("due"))
            try await Task.sleep(for: .milliseconds(1_100))
            guard case .withhold(.cooldown, _) = try await h.poll("v1") else {
                Issue.record("the expired hold was not swept")
                return
            }
            #expect(try await h.raw("ZCARD", h.key("holds")).int == 0)
            #expect(try await h.raw("ZSCORE", h.key("due"), "~").string == "-inf")
        }
    }

    @Test("invitations for one queue never consume another queue's reserve on agents serving both")
    func reservePerQueue() async throws {
        try await CoreHarness.run(reserve: ["support": 1]) { h in
            _ = try await h.online("a1", maxChats: 1, queues: ["sales", "support"])
            #expect(try await h.poll("v1", queue: "sales") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            let reactive = try await h.request("v2", queue: "support")
            #expect(reactive.agent == "a1")
        }
    }

    @Test("the poll's locale is kept with the invitation for the accept's greeting")
    func pollLocaleKept() async throws {
        try await CoreHarness.run { h in
            _ = try await h.broker.putCannedMessage(
                site: h.site, caller: h.admin, name: "hallo",
                message: CannedMessage(kind: .greeting, queue: nil, locale: "de", template: "Guten Tag")
            )
            _ = try await h.online("a1", maxChats: 1)
            let decision = try await h.broker.poll(site: h.site, caller: h.admin, visitor: "v1", queue: "default", locale: "de-CH")
            guard case .invite(let hold) = decision else {
                Issue.record("no invitation: \(decision)")
                return
            }
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.firstResponse?.text == "Guten Tag")
        }
    }
}

@Suite("invariants of chats and the waiting line")
struct ChatInvariantTests {
    @Test("a chat request retried after a lost reply returns the chat the first one created")
    func retriedRequestSameChat() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 3)
            let first = try await h.request("v1")
            let retry = try await h.request("v1")
            #expect(retry.id == first.id)
            #expect(retry.existing)
            #expect(try await h.capacity().site.slots.chats == 1)
            #expect(try await h.poll("v1") == .withhold(reason: .chatting, retryAfterSeconds: 10))
        }
    }

    @Test("a waiting chat ends as abandoned after maxWaitSeconds")
    func maxWait() async throws {
        try await CoreHarness.run(settings: ["maxWaitSeconds": 1]) { h in
            _ = try await h.online("a1", maxChats: 1)
            _ = try await h.request("v1")
            let waiting = try await h.request("v2")
            #expect(waiting.state == .waiting)
            try await TestRedis.eventually("the waiting chat is abandoned", seconds: 10) {
                (try? await h.chat(waiting.id).state) == .abandoned
            }
            #expect(try await h.capacity().site.waiting == 0)
        }
    }

    @Test("a visitor's cancel takes its waiting chat out of line, as abandoned; another visitor's changes nothing")
    func cancel() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            _ = try await h.request("v1")
            let waiting = try await h.request("v2")
            await #expect(throws: CoreError.notFound("no such invitation or chat")) {
                try await h.broker.cancelChat(site: h.site, caller: h.admin, chat: waiting.id, visitor: "v3")
            }
            try await h.broker.cancelChat(site: h.site, caller: h.admin, chat: waiting.id, visitor: "v2")
            try await h.broker.cancelChat(site: h.site, caller: h.admin, chat: waiting.id, visitor: "v2")
            #expect(try await h.chat(waiting.id).state == .abandoned)
            #expect(try await h.capacity().site.waiting == 0)
        }
    }

    @Test("a chat in a queue nobody serves or configured is refused, naming the queue, and names no queue")
    func unknownQueue() async throws {
        try await CoreHarness.run { h in
            await #expect(throws: CoreError.invalid(field: "queue", message: "no agent serves that queue and the site names no such queue")) {
                _ = try await h.request("v1", queue: "junk")
            }
            let capacity = try await h.capacity()
            #expect(capacity.queues["junk"] == nil)
        }
    }
}

@Suite("settings and reconcile")
struct SettingsAndReconcileTests {
    @Test("a settings update is applied whole: a reserve queue named like a marker is just a queue")
    func settingsWhole() async throws {
        try await CoreHarness.run { h in
            let (settings, _) = try await h.broker.putSite(
                h.site, caller: .admin, update: SiteSettingsUpdate(values: ["holdSeconds": 45], reserve: ["--reserve--": 1, "--defaults--": 2])
            )
            #expect(settings.holdSeconds == 45)
            #expect(settings.reserve == ["--reserve--": 1, "--defaults--": 2])
        }
    }

    @Test("an allowed origin is one scheme, host and port: spaces, paths and other schemes are refused naming the field")
    func origins() async throws {
        try await CoreHarness.run { h in
            for bad in ["https://a.example https://b.example", "https://a.example/path", "ftp://a.example", "https://", "https://a\tb"] {
                do {
                    _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(allowedOrigins: [bad]))
                    Issue.record("\(bad) was accepted as an origin")
                } catch CoreError.invalid(let field, _) {
                    #expect(field == "allowedOrigins")
                }
            }
            let good = ["https://shop.example", "http://localhost:8080", "http://[::1]:8080"]
            let (settings, _) = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(allowedOrigins: good))
            #expect(settings.allowedOrigins == good)
        }
    }

    @Test("a site stored before a setting existed decides with that setting's default")
    func missingSettingDefaults() async throws {
        try await CoreHarness.run { h in
            try await h.raw("HDEL", h.key("settings"), "cooldownSeconds", "holdSeconds", "pollRetrySeconds")
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: hold.id, visitor: "v1")
            #expect(try await h.poll("v1") == .withhold(reason: .cooldown, retryAfterSeconds: 600))
        }
    }

    @Test("reconcile names a violation forged in the records, not only counter drift")
    func reconcileFindsForgedViolation() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let chat = try await h.request("v1")
            #expect(try await h.drift().violations.isEmpty)
            // A second chat on the agent, with every counter kept consistent: only the invariant itself is broken.
            try await h.raw(
                "HSET", h.key("chat:forged"), "visitor", "v2", "queue", "default", "source", "reactive",
                "state", "assigned", "agent", "a1", "createdAt", "0", "assignedAt", "0")
            try await h.raw("SADD", h.key("agent:a1:chats"), "forged")
            try await h.raw("HINCRBY", h.key("agent:a1"), "chats", "1")
            try await h.raw("HINCRBY", h.key("totals"), "chats", "1")
            try await h.raw("HINCRBY", h.key("agg"), "chats", "1")
            try await h.raw("HINCRBY", h.key("q:default:agg"), "chats", "1")
            let report = try await h.drift()
            #expect(report.drift == 0, "\(report.differences)")
            #expect(report.violations.contains { $0.contains("a1") && $0.contains("maxChats") })
            _ = chat
        }
    }
}

@Suite("per-site caps")
struct SiteCapTests {
    @Test("a site holds at most its configured queues, agents and tokens; one more is refused and changes nothing")
    func caps() async throws {
        let limits = BrokerConfiguration(maxQueuesPerSite: 3, maxAgentsPerSite: 2, maxTokensPerSite: 2)
        try await CoreHarness.run(configuration: limits) { h in
            // `default` is one of the three.
            _ = try await h.online("a1", queues: ["default", "sales"])
            await #expect(throws: CoreError.limitReached("the site has as many queues as allowed")) {
                _ = try await h.online("a1", queues: ["default", "sales", "support", "billing"])
            }
            #expect(try await h.capacity().queues.keys.sorted() == ["default", "sales"])
            _ = try await h.online("a1", queues: ["support"])
            _ = try await h.online("a2", session: "s2")
            await #expect(throws: CoreError.limitReached("the site has as many agents as allowed")) {
                _ = try await h.online("a3", session: "s3")
            }
            #expect(try await h.capacity().agentLoad.map(\.agent) == ["a1", "a2"])
            for _ in 0..<2 {
                _ = try await h.broker.issueToken(site: h.site, caller: h.admin, role: .website, agent: nil)
            }
            await #expect(throws: CoreError.limitReached("the site has as many tokens as allowed; revoke one first")) {
                _ = try await h.broker.issueToken(site: h.site, caller: h.admin, role: .website, agent: nil)
            }
            await #expect(throws: CoreError.invalid(field: "queues", message: "at most 3 queues")) {
                _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(queues: ["q1", "q2", "q3", "q4"]))
            }
        }
    }
}

@Suite("the waiting line past its waits")
struct StaleLineTests {
    /// However many stale heads stand before it, and however the serve's and the passes' budgets split them (the
    /// serve that ran out exactly at the last stale head once left the live chat waiting for ever: nothing was due to
    /// make a pass serve again).
    @Test(
        "a freed slot reaches the live chat behind any number of chats past their wait, through the sweeper's passes",
        arguments: 1...9
    )
    func freedSlotReachesLiveChat(stale: Int) async throws {
        try await CoreHarness.run(settings: ["maxWaitSeconds": 1], configuration: BrokerConfiguration(sweepLimit: 1)) { h in
            _ = try await h.online("a1", maxChats: 1)
            let busy = try await h.request("v0")
            for visitor in (1...stale).map({ "stale\($0)" }) {
                #expect(try await h.request(visitor).state == .waiting)
            }
            try await Task.sleep(for: .milliseconds(1_100))
            // The live chat may wait as long as it likes, so that however slowly this machine runs the passes below,
            // only the stale heads are past their wait.
            _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(values: ["maxWaitSeconds": 3_600]))
            let live = try await h.request("v5")
            #expect(live.state == .waiting)
            try await h.end(busy.id)
            // As the background sweeper does: passes while it reports more, each bounded by the sweep limit.
            for _ in 0..<10 where try await h.broker.sweep(site: h.site) {}
            let chat = try await h.raw("HGET", h.key("chat:\(live.id)"), "state")
            #expect(chat.string == "assigned", "behind \(stale) stale chats")
        }
    }

    @Test("with fewer records allowed than ended, every ended chat still gives its address's place back")
    func retainedTrimKeepsTallies() async throws {
        try await CoreHarness.run(configuration: BrokerConfiguration(maxRetainedPerSite: 1)) { h in
            _ = try await h.online("a1", maxChats: 10)
            let website = Caller.bearer(try await h.websiteToken(), address: "198.51.100.1")
            for index in 0..<6 {
                let chat = try await h.broker.requestChat(
                    site: h.site, caller: website,
                    request: ChatRequest(visitor: "v\(index)", queue: "default", source: .reactive)
                )
                try await h.end(chat.id)
            }
            #expect(try await h.raw("HLEN", h.key("addr:open")).int == 0)
            #expect(try await h.drift().drift == 0)
        }
    }
}

@Suite("bounds on what visitors leave behind")
struct VisitorBoundTests {
    @Test("a released invitation's chat never takes another queue's reserve")
    func releasedAcceptKeepsReserves() async throws {
        try await CoreHarness.run(reserve: ["support": 1]) { h in
            _ = try await h.online("a", maxChats: 1, queues: ["sales", "support"], session: "sa")
            _ = try await h.online("b", maxChats: 1, queues: ["sales"], session: "sb")
            let hold = try #require(try await h.invite("v1", queue: "sales"))
            _ = try await h.online("b", maxChats: 1, queues: ["sales"], status: .away, session: "sb")
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.state == .waiting)
            #expect(try await h.request("v2", queue: "support").agent == "a")
        }
    }

    @Test("a site keeps at most its configured number of ended chats and resolved invitations, the newest")
    func retainedCap() async throws {
        try await CoreHarness.run(configuration: BrokerConfiguration(maxRetainedPerSite: 3)) { h in
            _ = try await h.online("a1", maxChats: 1)
            var ended: [String] = []
            for index in 0..<5 {
                let chat = try await h.request("v\(index)")
                try await h.end(chat.id)
                ended.append(chat.id)
            }
            #expect(try await h.raw("ZCARD", h.key("retained")).int == 3)
            await #expect(throws: CoreError.notFound("no such invitation or chat")) { _ = try await h.chat(ended[0]) }
            #expect(try await h.chat(ended[4]).state == .ended)
        }
    }

    @Test("a visitor name is at most 100 scalars, without control, format or separator characters")
    func names() async throws {
        for bad in ["a" + String(repeating: "\u{301}", count: 7_000), "Eve\u{202E}gnp.exe", "two\u{2028}lines", "tab\there"] {
            #expect(throws: CoreError.self, "\(bad.unicodeScalars.count) scalars") {
                try ChatRequest.validateName(bad)
            }
        }
        try ChatRequest.validateName("Zoë Ångström-Øster")
    }
}

@Suite("queues dropped from the settings")
struct DroppedQueueTests {
    @Test("chats waiting in a queue the settings no longer name still show, count and reconcile")
    func droppedQueueStillCounts() async throws {
        try await CoreHarness.run { h in
            _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(queues: ["sales"]))
            let waiting = try await h.request("v1", queue: "sales")
            #expect(waiting.state == .waiting)
            _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(queues: []))
            let capacity = try await h.capacity()
            #expect(capacity.site.waiting == 1)
            #expect(capacity.queues["sales"]?.waiting == 1)
            let report = try await h.drift()
            #expect(report.drift == 0 && report.violations.isEmpty, "\(report.differences) \(report.violations)")
            try await h.broker.cancelChat(site: h.site, caller: h.admin, chat: waiting.id, visitor: "v1")
            #expect(try await h.capacity().queues["sales"] == nil)
        }
    }
}

@Suite("the admin is a caller of its own")
struct AdminCallerTests {
    @Test("an empty bearer token is no one, never the admin, whatever the layer above let through")
    func emptyBearerIsNoOne() async throws {
        try await CoreHarness.run { h in
            for token in ["", " "] {
                await #expect(throws: CoreError.forbidden, "bearer '\(token)'") {
                    try await h.broker.capacity(site: h.site, caller: .bearer(token, address: "198.51.100.1"))
                }
            }
            _ = try await h.broker.capacity(site: h.site, caller: .admin)
        }
    }
}
