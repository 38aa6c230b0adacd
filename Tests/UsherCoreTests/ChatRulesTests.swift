import Testing
import UsherCore

@Suite("chats and the waiting line")
struct ChatRulesTests {
    @Test("a reactive request is assigned at once when a slot is free")
    func assignedAtOnce() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let chat = try await h.request("v1")
            #expect(chat.state == .assigned)
            #expect(chat.agent == "a1")
            let chats = try await h.broker.agentChats(site: h.site, caller: h.admin, agent: "a1")
            #expect(chats.map(\.id) == [chat.id])
        }
    }

    @Test("the line is served escalations first, then by priority, then first come first served")
    func lineOrder() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let busy = try await h.request("v0")
            let early = try await h.request("v1")
            let late = try await h.request("v2")
            let urgent = try await h.request("v3", priority: 5)
            let escalation = try await h.request("v4", source: .escalation)
            #expect(try await h.chat(escalation.id).position == 1)
            #expect(try await h.chat(urgent.id).position == 2)
            #expect(try await h.chat(early.id).position == 3)
            #expect(try await h.chat(late.id).position == 4)
            var previous = busy.id
            for next in [escalation, urgent, early, late] {
                try await h.end(previous)
                #expect(try await h.chat(next.id).state == .assigned)
                previous = next.id
            }
        }
    }

    @Test("ending a chat serves exactly one waiting chat per freed slot")
    func endServesOne() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let first = try await h.request("v1")
            let second = try await h.request("v2")
            let third = try await h.request("v3")
            try await h.end(first.id)
            #expect(try await h.chat(second.id).state == .assigned)
            #expect(try await h.chat(third.id).state == .waiting)
            #expect(try await h.chat(third.id).position == 1)
            try await h.end(first.id)  // idempotent: frees nothing twice
            #expect(try await h.chat(third.id).state == .waiting)
        }
    }

    @Test("the first response is recorded once, and only on an assigned chat")
    func firstResponse() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let assigned = try await h.request("v1")
            let waiting = try await h.request("v2")
            await #expect(throws: CoreError.conflict("the request conflicts with the current state")) {
                try await h.broker.firstResponse(site: h.site, caller: h.admin, chat: waiting.id)
            }
            try await h.broker.firstResponse(site: h.site, caller: h.admin, chat: assigned.id)
            let first = try #require(try await h.chat(assigned.id).firstResponseAt)
            try await Task.sleep(for: .milliseconds(20))
            try await h.broker.firstResponse(site: h.site, caller: h.admin, chat: assigned.id)
            #expect(try await h.chat(assigned.id).firstResponseAt == first)
        }
    }

    @Test("beyond maxWaiting the line refuses")
    func lineFull() async throws {
        try await CoreHarness.run(settings: ["maxWaiting": 2]) { h in
            _ = try await h.online("a1", maxChats: 1)
            _ = try await h.request("v1")
            _ = try await h.request("v2")
            _ = try await h.request("v3")
            let refusal = await #expect(throws: CoreError.self) { try await h.request("v4") }
            guard case .lineFull(let message) = refusal else {
                Issue.record("expected lineFull, got \(String(describing: refusal))")
                return
            }
            #expect(message.kind == .unavailable)
        }
    }

    @Test("an agent becoming available serves the waiting line at once")
    func availabilityServesLine() async throws {
        try await CoreHarness.run { h in
            let waiting = try await h.request("v1")
            #expect(waiting.state == .waiting)
            #expect(waiting.position == 1)
            _ = try await h.online("a1", maxChats: 1)
            #expect(try await h.chat(waiting.id).state == .assigned)
        }
    }

    @Test("raising maxChats serves the waiting line")
    func raisingCapacityServes() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            _ = try await h.request("v1")
            let waiting = try await h.request("v2")
            _ = try await h.online("a1", maxChats: 2)
            #expect(try await h.chat(waiting.id).state == .assigned)
        }
    }

    @Test("lowering maxChats below the load drops no chat; the agent takes nothing new until under the limit")
    func loweringCapacity() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 3)
            let chats = [try await h.request("v1"), try await h.request("v2"), try await h.request("v3")]
            let state = try await h.online("a1", maxChats: 1)
            #expect(state.activeChats == 3)
            #expect(try await h.poll("v9") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            try await h.end(chats[0].id)
            try await h.end(chats[1].id)
            #expect(try await h.poll("v9") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            try await h.end(chats[2].id)
            #expect(try await h.invite("v9") != nil)
        }
    }

    @Test("going away keeps the agent's chats but offers no new slots")
    func awayKeepsChats() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2)
            let chat = try await h.request("v1")
            let state = try await h.online("a1", maxChats: 2, status: .away)
            #expect(state.activeChats == 1)
            #expect(try await h.chat(chat.id).state == .assigned)
            #expect(try await h.poll("v2") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            let capacity = try await h.capacity()
            #expect(capacity.site.agents.away == 1)
            #expect(capacity.site.slots.chats == 1)
        }
    }
}

@Suite("presence")
struct PresenceRulesTests {
    @Test("a heartbeat from a superseded session is refused and changes nothing")
    func supersededSession() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2, session: "old")
            _ = try await h.online("a1", maxChats: 2, session: "new")
            await #expect(throws: CoreError.superseded) { try await h.online("a1", maxChats: 5, session: "old") }
            await #expect(throws: CoreError.superseded) { try await h.online("a1", status: .offline, session: "old") }
            #expect(try await h.capacity().site.slots.total == 2)
        }
    }

    @Test("a lapsed heartbeat stops offering slots at once and releases the agent's holds")
    func heartbeatLapse() async throws {
        try await CoreHarness.run(settings: ["heartbeatSeconds": 1, "orphanGraceSeconds": 60]) { h in
            _ = try await h.online("a1", maxChats: 2)
            _ = try #require(try await h.invite("v1"))
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await h.poll("v2") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            let capacity = try await h.capacity()
            #expect(capacity.site.slots.held == 0)
            #expect(capacity.site.agents.offline == 1)
        }
    }

    @Test("a crashed agent's chats are closed as orphaned after the grace period")
    func orphanedChats() async throws {
        try await CoreHarness.run(settings: ["heartbeatSeconds": 1, "orphanGraceSeconds": 5]) { h in
            _ = try await h.online("a1", maxChats: 2)
            let start = ContinuousClock.now  // after Redis set the deadline, so it lies within a second of this
            let chat = try await h.request("v1")
            try await Task.sleep(until: start + .milliseconds(1_200))
            #expect(try await h.chat(chat.id).state == .assigned)  // lapsed at 1 s, orphaned only at 6 s
            #expect(try await h.capacity().site.agents.offline == 1)
            try await Task.sleep(until: start + .milliseconds(6_500))
            #expect(try await h.chat(chat.id).state == .orphaned)
            let capacity = try await h.capacity()
            #expect(capacity.site.slots.chats == 0)
            #expect(capacity.counter("orphaned") == 1)
            #expect(try await h.drift().drift == 0)
        }
    }

    @Test("an agent that returns within the grace period keeps its chats")
    func returnWithinGrace() async throws {
        try await CoreHarness.run(settings: ["heartbeatSeconds": 1, "orphanGraceSeconds": 6]) { h in
            _ = try await h.online("a1", maxChats: 2)
            let start = ContinuousClock.now  // after Redis set the deadline, so it lies within a second of this
            let chat = try await h.request("v1")
            // Lapses at 1 s, so its chats would be orphaned at 7 s; it returns at 2 s and keeps heartbeating.
            try await Task.sleep(until: start + .milliseconds(2_000))
            #expect(try await h.capacity().site.agents.offline == 1)
            while ContinuousClock.now < start + .milliseconds(8_000) {
                _ = try await h.online("a1", maxChats: 2)
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(try await h.chat(chat.id).state == .assigned)
        }
    }
}
