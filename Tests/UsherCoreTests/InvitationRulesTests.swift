import Testing
import UsherCore

@Suite("invitations")
struct InvitationRulesTests {
    @Test("with nobody available every poll is withheld for lack of capacity")
    func noAgent() async throws {
        try await CoreHarness.run { h in
            let decision = try await h.poll("v1")
            #expect(decision == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(try await h.capacity().counter("withheld") == 1)
        }
    }

    @Test("an available agent's free slot is offered, reserved on that agent until accepted")
    func invitesOnFreeSlot() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            #expect(hold.queue == "default")
            let capacity = try await h.capacity()
            #expect(capacity.site.slots == .init(total: 1, chats: 0, held: 1, free: 0))
            #expect(try await h.poll("v2") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
        }
    }

    @Test("a visitor polling again while holding an invitation gets the same one back, not a second slot")
    func samePollSameInvitation() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 3)
            let first = try #require(try await h.invite("v1"))
            let second = try #require(try await h.invite("v1"))
            #expect(first == second)
            #expect(try await h.capacity().site.slots.held == 1)
        }
    }

    @Test("the least-loaded agent serving the queue gets the hold")
    func leastLoaded() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("busy", maxChats: 2)
            _ = try await h.online("idle", maxChats: 3)
            let hold = try #require(try await h.invite("v1"))
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.agent == "idle")
        }
    }

    @Test("accepting turns the hold into a chat on the same agent, once")
    func accept() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.state == .assigned)
            #expect(chat.agent == "a1")
            #expect(chat.source == .invitation)
            let again = try await h.accept(hold, visitor: "v1")
            #expect(again.id == chat.id)
            let capacity = try await h.capacity()
            #expect(capacity.site.slots == .init(total: 1, chats: 1, held: 0, free: 0))
            #expect(capacity.counter("accepted") == 1)
        }
    }

    @Test("an accepted invitation cannot be declined, and declining twice changes nothing")
    func declineAfterAccept() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2)
            let accepted = try #require(try await h.invite("v1"))
            _ = try await h.accept(accepted, visitor: "v1")
            await #expect(throws: CoreError.conflict("the request conflicts with the current state")) {
                try await h.broker.decline(site: h.site, caller: h.admin, invitation: accepted.id, visitor: "v1")
            }
            let declined = try #require(try await h.invite("v2"))
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: declined.id, visitor: "v2")
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: declined.id, visitor: "v2")
            let capacity = try await h.capacity()
            #expect(capacity.counter("declined") == 1)
            #expect(capacity.site.slots == .init(total: 2, chats: 1, held: 0, free: 1))
        }
    }

    @Test("only the visitor an invitation was issued to may accept or decline it")
    func onlyTheInvitedVisitor() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1")
            let hold = try #require(try await h.invite("v1"))
            await #expect(throws: CoreError.notFound("no such invitation or chat")) { try await h.accept(hold, visitor: "v2") }
            await #expect(throws: CoreError.notFound("no such invitation or chat")) {
                try await h.broker.decline(site: h.site, caller: h.admin, invitation: hold.id, visitor: "v2")
            }
            #expect(try await h.capacity().site.slots.held == 1)
        }
    }

    @Test("declining frees the hold at once and starts the cooldown")
    func declineStartsCooldown() async throws {
        try await CoreHarness.run(settings: ["cooldownSeconds": 600]) { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: hold.id, visitor: "v1")
            #expect(try await h.capacity().site.slots.free == 1)
            guard case .withhold(.cooldown, let retry) = try await h.poll("v1") else {
                Issue.record("a declining visitor was invited again")
                return
            }
            #expect(retry > 590 && retry <= 600)
            #expect(try await h.invite("v2") != nil)
        }
    }

    @Test("an expired hold cannot be accepted, frees its slot and starts the cooldown")
    func holdExpires() async throws {
        try await CoreHarness.run(settings: ["holdSeconds": 1, "cooldownSeconds": 60]) { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            try await Task.sleep(for: .milliseconds(1_100))
            await #expect(throws: CoreError.gone("the invitation has expired")) { try await h.accept(hold, visitor: "v1") }
            let capacity = try await h.capacity()
            #expect(capacity.site.slots.free == 1)
            #expect(capacity.counter("expired") == 1)
            guard case .withhold(.cooldown, _) = try await h.poll("v1") else {
                Issue.record("expiry did not start the cooldown")
                return
            }
        }
    }

    @Test("a cooldown ends by itself")
    func cooldownEnds() async throws {
        try await CoreHarness.run(settings: ["cooldownSeconds": 1]) { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: hold.id, visitor: "v1")
            guard case .withhold(.cooldown, _) = try await h.poll("v1") else {
                Issue.record("no cooldown")
                return
            }
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await h.invite("v1") != nil)
        }
    }

    @Test("nobody is invited while anyone waits in the queue")
    func waitingBlocksInvitations() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let first = try await h.request("r1")
            #expect(first.state == .assigned)
            let second = try await h.request("r2")
            #expect(second.state == .waiting)
            try await h.end(first.id)
            // The freed slot went to the waiting chat, not to a new invitation.
            #expect(try await h.chat(second.id).state == .assigned)
            #expect(try await h.poll("v1") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            _ = try await h.request("r3")
            #expect(try await h.poll("v2") == .withhold(reason: .waiting, retryAfterSeconds: 10))
        }
    }

    @Test("slots in the queue's reserve are never offered to invitations, but reactive requests may use them")
    func reserve() async throws {
        try await CoreHarness.run(reserve: ["default": 1]) { h in
            _ = try await h.online("a1", maxChats: 2)
            #expect(try await h.invite("v1") != nil)
            #expect(try await h.poll("v2") == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(try await h.request("r1").state == .assigned)
        }
    }

    @Test("if the agent left before the visitor accepted, the chat goes to another free agent")
    func acceptAfterAgentLeft() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            _ = try await h.online("a2", maxChats: 1)
            _ = try await h.online("a1", maxChats: 1, status: .away)
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.state == .assigned)
            #expect(chat.agent == "a2")
        }
    }

    @Test("if no agent is free when a released invitation is accepted, the visitor joins the line behind those waiting")
    func acceptAfterAgentLeftNoCapacity() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            _ = try await h.online("a2", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            let other = try #require(try await h.invite("v2"))
            _ = try await h.accept(other, visitor: "v2")
            let waiting = try await h.request("r1", source: .escalation, priority: 9)
            #expect(waiting.state == .waiting)
            // Both agents go away, so whichever held v1's invitation released it.
            _ = try await h.online("a1", maxChats: 1, status: .away)
            _ = try await h.online("a2", maxChats: 1, status: .away)
            let chat = try await h.accept(hold, visitor: "v1")
            #expect(chat.state == .waiting)
            #expect(chat.position == 2)
            #expect(try await h.chat(waiting.id).position == 1)
        }
    }
}

@Suite("cooldown settings")
struct CooldownSettingTests {
    @Test("a cooldown of 0 lets a declining visitor be invited again at once")
    func cooldownOff() async throws {
        try await CoreHarness.run(settings: ["cooldownSeconds": 0]) { h in
            _ = try await h.online("a1", maxChats: 1)
            let hold = try #require(try await h.invite("v1"))
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: hold.id, visitor: "v1")
            #expect(try await h.invite("v1") != nil)
        }
    }
}
