import HTTPTypes
import Testing

@testable import UsherHTTP

@Suite("v1 API")
struct APIFlowTests {
    @Test("an agent comes online, a website is invited, accepts, and gets a greeting; the agent sees and ends the chat")
    func wholeFlow() async throws {
        try await API.run { api in
            let agentToken = try await api.token(role: "agent", agent: "a1")
            let website = try await api.token(role: "website")
            let ops = try await api.token(role: "ops")

            let presence = try await api.call(
                .put, api.sitePath("/agents/a1/presence"), token: agentToken,
                body: ["status": "available", "maxChats": 1, "queues": ["default"], "session": "tab-1"]
            )
            #expect(presence.status == .ok)
            #expect(presence["maxChats"] as? Int == 1)
            #expect(presence["activeChats"] as? Int == 0)
            #expect(presence["expiresAt"] is String)

            let poll = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v1"])
            #expect(poll.status == .ok)
            #expect(poll["decision"] as? String == "invite")
            let invitation = try #require(poll["invitation", "id"] as? String)
            // The whole answer, as the contract has it (it is written without JSONEncoder).
            #expect(Set(poll.json.keys) == ["decision", "invitation"])
            #expect((poll["invitation"] as? [String: Any]).map { Set($0.keys) } == ["id", "expiresAt", "queue"])
            #expect(poll["invitation", "queue"] as? String == "default")
            #expect((poll["invitation", "expiresAt"] as? String).flatMap { RFC3339.milliseconds($0[...].utf8) } != nil)
            #expect(poll.headers[.contentType] == "application/json; charset=utf-8")
            #expect(poll.headers[.retryAfter] == nil)

            let accepted = try await api.call(
                .post, api.sitePath("/invitations/\(invitation)/accept"), token: website, body: ["visitor": "v1", "name": "Ada"]
            )
            #expect(accepted.status == .ok)
            #expect(accepted["chat", "state"] as? String == "assigned")
            #expect(accepted["chat", "firstResponse", "kind"] as? String == "greeting")
            #expect((accepted["chat", "firstResponse", "text"] as? String)?.contains("Ada") == true)
            #expect(accepted["chat", "agent"] == nil)
            let chat = try #require(accepted["chat", "id"] as? String)

            let second = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v2"])
            #expect(second["decision"] as? String == "withhold")
            #expect(second["reason"] as? String == "no_capacity")
            #expect(second.headers[.retryAfter] == "10")
            #expect(Set(second.json.keys) == ["decision", "reason", "retryAfterSeconds"])
            #expect(second["retryAfterSeconds"] as? Int == 10)

            let mine = try await api.call(.get, api.sitePath("/agents/a1/chats"), token: agentToken)
            #expect((mine["chats"] as? [[String: Any]])?.map { $0["id"] as? String } == [chat])

            #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/first-response"), token: agentToken).status == .noContent)
            #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/end"), token: agentToken).status == .noContent)
            #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/end"), token: agentToken).status == .noContent)

            let capacity = try await api.call(.get, api.sitePath("/capacity"), token: ops)
            #expect(capacity.status == .ok)
            #expect(capacity["slots", "free"] as? Int == 1)
            #expect(capacity["counters", "issued"] as? Int == 1)
            #expect(capacity["counters", "accepted"] as? Int == 1)
            #expect(capacity["counters", "withheld"] as? Int == 1)
            #expect(capacity["queues", "default", "slots", "total"] as? Int == 1)

            let reconcile = try await api.call(.post, api.sitePath("/reconcile"), token: ops)
            #expect(reconcile["drift"] as? Int == 0)
        }
    }

    @Test("the capacity view pages its agents after agentsAfter, and refuses an agentsAfter that is no id")
    func capacityPages() async throws {
        try await API.run { api in
            for agent in ["a1", "a2"] {
                let token = try await api.token(role: "agent", agent: agent)
                let presence = try await api.call(
                    .put, api.sitePath("/agents/\(agent)/presence"), token: token,
                    body: ["status": "available", "maxChats": 1, "queues": ["default"], "session": "s"]
                )
                #expect(presence.status == .ok)
            }
            let first = try await api.call(.get, api.sitePath("/capacity"))
            #expect((first["agentLoad"] as? [[String: Any]])?.map { $0["agent"] as? String } == ["a1", "a2"])
            let next = try await api.call(.get, api.sitePath("/capacity?agentsAfter=a1"))
            #expect((next["agentLoad"] as? [[String: Any]])?.map { $0["agent"] as? String } == ["a2"])
            let bad = try await api.call(.get, api.sitePath("/capacity?agentsAfter=a%20b"))
            #expect(bad.status == .badRequest)
            #expect(bad.error?["field"] as? String == "agentsAfter")
        }
    }

    @Test("a reactive request that must wait gets its position, an estimate and a queued message; 429 when the line is full")
    func waitingAndFull() async throws {
        try await API.run(settings: ["maxWaiting": 1]) { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            let presence: [String: Any] = ["status": "available", "maxChats": 1, "session": "s1"]
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: presence).status == .ok)
            let served = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v0", "source": "reactive"])
            #expect(served["chat", "state"] as? String == "assigned")
            #expect(served["chat", "firstResponse", "kind"] as? String == "greeting")

            let first = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v1", "source": "reactive"])
            #expect(first.status == .created)
            #expect(first["chat", "state"] as? String == "waiting")
            #expect(first["chat", "position"] as? Int == 1)
            // One slot, no handle time measured yet: averageHandleSeconds (300) for the one chat ahead to end.
            #expect(first["chat", "estimatedWaitSeconds"] as? Int == 300)
            #expect(first["chat", "firstResponse", "kind"] as? String == "queued")
            #expect((first["chat", "firstResponse", "text"] as? String)?.contains("about 5 min") == true)
            let id = try #require(first["chat", "id"] as? String)

            let read = try await api.call(.get, api.sitePath("/chats/\(id)?visitor=v1"), token: website)
            #expect(read["chat", "position"] as? Int == 1)
            #expect(read["chat", "firstResponse", "kind"] as? String == "queued")
            #expect(read["chat", "firstResponseChanged"] as? Bool == false)
            let stranger = try await api.call(.get, api.sitePath("/chats/\(id)?visitor=v2"), token: website)
            #expect(stranger.status == .notFound)

            let full = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v2", "source": "reactive"])
            #expect(full.status == .tooManyRequests)
            #expect(full.errorCode == "line_full")
            #expect(full["firstResponse", "kind"] as? String == "unavailable")
            #expect(full.headers[.retryAfter] != nil)
        }
    }

    @Test("a heartbeat from a superseded session gets 409")
    func supersededSession() async throws {
        try await API.run { api in
            let agent = try await api.token(role: "agent", agent: "a1")
            let body: (String) -> [String: Any] = { ["status": "available", "maxChats": 2, "session": $0] }
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: body("s1")).status == .ok)
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: body("s2")).status == .ok)
            let stale = try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: body("s1"))
            #expect(stale.status == .conflict)
            #expect(stale.errorCode == "superseded_session")
        }
    }

    @Test("an expired invitation answers 410, an unknown one 404")
    func expiredInvitation() async throws {
        try await API.run(settings: ["holdSeconds": 1]) { api in
            let website = try await api.token(role: "website")
            _ = try await api.call(.put, api.sitePath("/agents/a1/presence"), body: ["status": "available", "maxChats": 1, "session": "s"])
            let poll = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v1"])
            let id = try #require(poll["invitation", "id"] as? String)
            try await Task.sleep(for: .milliseconds(1_100))
            let late = try await api.call(.post, api.sitePath("/invitations/\(id)/accept"), token: website, body: ["visitor": "v1"])
            #expect(late.status == .gone)
            let unknown = try await api.call(.post, api.sitePath("/invitations/nope/accept"), token: website, body: ["visitor": "v1"])
            #expect(unknown.status == .notFound)
        }
    }

    @Test("site settings are created with defaults, updated in part, and read back")
    func siteSettings() async throws {
        try await API.run(settings: ["holdSeconds": 45, "reserve": ["support": 2]]) { api in
            let read = try await api.call(.get, api.sitePath())
            #expect(read["settings", "holdSeconds"] as? Int == 45)
            #expect(read["settings", "cooldownSeconds"] as? Int == 600)
            #expect(read["settings", "reserve", "support"] as? Int == 2)
            let updated = try await api.call(.put, api.sitePath(), body: ["cooldownSeconds": 60])
            #expect(updated.status == .ok)
            #expect(updated["settings", "holdSeconds"] as? Int == 45)
            #expect(updated["settings", "cooldownSeconds"] as? Int == 60)
        }
    }
}
