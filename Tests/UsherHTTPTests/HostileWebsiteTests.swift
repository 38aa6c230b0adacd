import Foundation
import HTTPTypes
import RedisTestSupport
import Testing

/// The website token is public: it sits in every page. Each test does what a stranger holding it could do, and
/// checks that the promise holds: chat demand never exceeds staff, and nothing grows without bound.
@Suite("a hostile website")
struct HostileWebsiteTests {
    static var presence: [String: Any] { ["status": "available", "maxChats": 3, "queues": ["default"], "session": "s1"] }

    @Test("a website token cannot ask for an escalation or a priority; a bot token can")
    func escalationNeedsBot() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let bot = try await api.token(role: "bot")
            let escalation = try await api.call(
                .post, api.sitePath("/chats"), token: website, body: ["visitor": "x", "source": "escalation"]
            )
            #expect(escalation.status == .forbidden)
            #expect(escalation.error?["field"] as? String == "source")
            let priority = try await api.call(
                .post, api.sitePath("/chats"), token: website, body: ["visitor": "x", "source": "reactive", "priority": 9]
            )
            #expect(priority.status == .forbidden)
            #expect(priority.error?["field"] as? String == "priority")
            let capacity = try await api.call(.get, api.sitePath("/capacity"))
            #expect(capacity["waiting"] as? Int == 0)
            let handedOver = try await api.call(
                .post, api.sitePath("/chats"), token: bot, body: ["visitor": "x", "source": "escalation", "priority": 9]
            )
            #expect(handedOver.status == .created)
            #expect(handedOver["chat", "state"] as? String == "waiting")
        }
    }

    @Test("junk queues are refused naming the queue and add nothing to the site")
    func junkQueues() async throws {
        try await API.run(settings: ["queues": ["sales"]]) { api in
            let website = try await api.token(role: "website")
            for index in 0..<20 {
                let reply = try await api.call(
                    .post, api.sitePath("/chats"), token: website, body: ["visitor": "v\(index)", "queue": "junk\(index)", "source": "reactive"]
                )
                #expect(reply.status == .badRequest)
                #expect(reply.error?["field"] as? String == "queue")
                let poll = try await api.call(
                    .post, api.sitePath("/invitations"), token: website, body: ["visitor": "v\(index)", "queue": "junk\(index)"])
                #expect(poll.status == .badRequest)
            }
            let configured = try await api.call(
                .post, api.sitePath("/chats"), token: website, body: ["visitor": "v", "queue": "sales", "source": "reactive"]
            )
            #expect(configured.status == .created)
            let capacity = try await api.call(.get, api.sitePath("/capacity"))
            let queues = try #require(capacity["queues"] as? [String: Any])
            #expect(Set(queues.keys) == ["default", "sales"])
        }
    }

    @Test("one visitor gets one open chat however often it asks: the same chat, 200 instead of 201")
    func oneChatPerVisitor() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: Self.presence).status == .ok)
            let first = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "greedy", "source": "reactive"])
            #expect(first.status == .created)
            for _ in 0..<5 {
                let again = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "greedy", "source": "reactive"])
                #expect(again.status == .ok)
                #expect(again["chat", "id"] as? String == first["chat", "id"] as? String)
            }
            let honest = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "honest", "source": "reactive"])
            #expect(honest["chat", "state"] as? String == "assigned")
            let capacity = try await api.call(.get, api.sitePath("/capacity"))
            #expect(capacity["slots", "chats"] as? Int == 2)
            let poll = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "greedy"])
            #expect(poll["reason"] as? String == "chatting")
        }
    }

    @Test("polls with made-up visitor ids from one address meet its rate limit: 429 with Retry-After, counted")
    func addressRateLimit() async throws {
        try await API.run(settings: ["addressRequestsPerMinute": 1, "addressBurstRequests": 5]) { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            _ = try await api.call(
                .put, api.sitePath("/agents/a1/presence"), token: agent, body: ["status": "available", "maxChats": 50, "session": "s1"])
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            let started = ContinuousClock.now
            for index in 0..<20 {
                let reply = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "made-up-\(index)"])
                statuses.append(reply.status)
                if reply.status == .tooManyRequests { retryAfter = reply.headers[.retryAfter] }
            }
            // A burst of 5 and what the time taken refilled at one a minute; everything after is refused.
            let allowed = Self.allowance(burst: 5, perSecond: 1.0 / 60, since: started)
            #expect(statuses.filter { $0 == .ok }.count <= allowed)
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 20 - allowed)
            #expect(retryAfter != nil)
            let capacity = try await api.call(.get, api.sitePath("/capacity"))
            #expect((capacity["slots", "held"] as? Int ?? 99) <= allowed)
            #expect((capacity["counters", "rateLimited"] as? Int ?? 0) >= 20 - allowed)
        }
    }

    @Test("the site's own limit holds whatever the addresses")
    func siteRateLimit() async throws {
        try await API.run(settings: ["siteRequestsPerSecond": 1, "siteBurstRequests": 3]) { api in
            let website = try await api.token(role: "website")
            var limited = 0
            let started = ContinuousClock.now
            for index in 0..<10 {
                let reply = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v\(index)"])
                if reply.status == .tooManyRequests { limited += 1 }
            }
            #expect(limited >= 10 - Self.allowance(burst: 3, perSecond: 1, since: started))
        }
    }

    /// The most requests a limit of `perSecond` with `burst` can pass from `since` until now: a bound that holds
    /// however slowly a busy machine runs the test (it only loosens), so the test never depends on its speed.
    static func allowance(burst: Int, perSecond: Double, since: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - since
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return burst + Int((seconds * perSecond).rounded(.up))
    }

    @Test("X-Forwarded-For names the client only when a trusted proxy sends it")
    func forwardedFor() async throws {
        let settings: [String: Any] = ["addressRequestsPerMinute": 1, "addressBurstRequests": 1]
        let clients = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        try await API.run(settings: settings, live: true, trustedProxies: ["127.0.0.1"]) { api in
            let statuses = try await Self.polls(api, from: clients)
            #expect(statuses == [.ok, .ok, .ok], "each client has a bucket of its own")
        }
        try await API.run(settings: settings, live: true) { api in
            let statuses = try await Self.polls(api, from: clients)
            #expect(statuses == [.ok, .tooManyRequests, .tooManyRequests], "without a trusted proxy the header is ignored")
        }
    }

    /// The statuses of one poll from each client address in turn (as a trusted proxy names it), each by a visitor
    /// of its own.
    static func polls(_ api: API, from clients: [String]) async throws -> [HTTPResponse.Status] {
        let website = try await api.token(role: "website")
        var statuses: [HTTPResponse.Status] = []
        for client in clients {
            let reply = try await api.call(
                .post, api.sitePath("/invitations"), token: website, body: ["visitor": "v\(statuses.count)"],
                headers: [ClientAddressHeader.name: client]
            )
            statuses.append(reply.status)
        }
        return statuses
    }

    @Test("one address's flood, refused by its own limit, spends none of the site's")
    func floodSparesTheSite() async throws {
        let settings: [String: Any] = [
            "addressRequestsPerMinute": 1, "addressBurstRequests": 2, "siteRequestsPerSecond": 1, "siteBurstRequests": 5,
        ]
        try await API.run(settings: settings, live: true, trustedProxies: ["127.0.0.1"]) { api in
            let website = try await api.token(role: "website")
            func poll(from client: String, _ index: Int) async throws -> HTTPResponse.Status {
                try await api.call(
                    .post, api.sitePath("/invitations"), token: website, body: ["visitor": "v\(index)"],
                    headers: [ClientAddressHeader.name: client]
                ).status
            }
            var flood: [HTTPResponse.Status] = []
            for index in 0..<20 { flood.append(try await poll(from: "198.51.100.7", index)) }
            #expect(flood.filter { $0 == .ok }.count == 2)
            for (index, client) in ["198.51.100.8", "198.51.100.9", "198.51.100.10"].enumerated() {
                #expect(try await poll(from: client, 100 + index) == .ok, "\(client) still finds room in the site's limit")
            }
        }
    }

    @Test("a visitor cancels its own waiting chat; another visitor cannot")
    func cancel() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let waiting = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v1", "source": "reactive"])
            let id = try #require(waiting["chat", "id"] as? String)
            let stranger = try await api.call(.post, api.sitePath("/chats/\(id)/cancel"), token: website, body: ["visitor": "v2"])
            #expect(stranger.status == .notFound)
            let own = try await api.call(.post, api.sitePath("/chats/\(id)/cancel"), token: website, body: ["visitor": "v1"])
            #expect(own.status == .noContent)
            let read = try await api.call(.get, api.sitePath("/chats/\(id)?visitor=v1"), token: website)
            #expect(read["chat", "state"] as? String == "abandoned")
            #expect(try await api.call(.get, api.sitePath("/capacity"))["waiting"] as? Int == 0)
        }
    }

    @Test("a website token cannot read the metrics, the capacity or another site")
    func readsNothingPrivate() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            #expect(try await api.call(.get, "/metrics", token: website).status == .forbidden)
            #expect(try await api.call(.get, api.sitePath("/capacity"), token: website).status == .forbidden)
            #expect(try await api.call(.get, "/v1/sites/another-site/capacity", token: website).status == .forbidden)
        }
    }
}

enum ClientAddressHeader {
    static let name = HTTPField.Name("X-Forwarded-For")!
}

@Suite("a hostile website's share of the site")
struct AddressShareTests {
    @Test("one address's made-up visitors hold at most addressMaxOpenChats chats and addressMaxHolds invitations")
    func perAddressCaps() async throws {
        try await API.run(settings: ["addressMaxOpenChats": 2, "addressMaxHolds": 2]) { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            let presence: [String: Any] = ["status": "available", "maxChats": 10, "session": "s1"]
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: presence).status == .ok)
            var chats: [String] = []
            for index in 0..<2 {
                let chat = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "fake\(index)", "source": "reactive"])
                #expect(chat.status == .created)
                chats.append(try #require(chat["chat", "id"] as? String))
            }
            let third = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "fake2", "source": "reactive"])
            #expect(third.status == .tooManyRequests)
            #expect(third.errorCode == "rate_limited")
            #expect(third.headers[.retryAfter] != nil)
            for index in 0..<2 {
                let poll = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "poller\(index)"])
                #expect(poll["decision"] as? String == "invite")
            }
            let greedy = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "poller2"])
            #expect(greedy.status == .tooManyRequests)
            let capacity = try await api.call(.get, api.sitePath("/capacity"))
            #expect(capacity["slots", "chats"] as? Int == 2)
            #expect(capacity["slots", "held"] as? Int == 2)
            // A chat that ends gives its place back.
            #expect(try await api.call(.post, api.sitePath("/chats/\(chats[0])/end"), token: agent).status == .noContent)
            let again = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "fake2", "source": "reactive"])
            #expect(again.status == .created)
            let reconcile = try await api.call(.post, api.sitePath("/reconcile"), body: [:])
            #expect(reconcile["drift"] as? Int == 0)
        }
    }

    @Test("an IPv6 client counts by its /64: other addresses in it share one bucket, another /64 has its own")
    func ipv6Networks() async throws {
        let settings: [String: Any] = ["addressRequestsPerMinute": 1, "addressBurstRequests": 1]
        try await API.run(settings: settings, live: true, trustedProxies: ["127.0.0.1"]) { api in
            let statuses = try await HostileWebsiteTests.polls(api, from: ["2001:db8::1", "2001:db8::ffff:2", "2001:db8:0:1::1"])
            #expect(statuses == [.ok, .tooManyRequests, .ok])
        }
    }
}

@Suite("query words")
struct QueryWordTests {
    @Test("a mistyped repair or history format is refused naming the field, not taken for the default")
    func queryWords() async throws {
        try await API.run { api in
            for path in ["/reconcile?repair=1", "/reconcile?repair=yes"] {
                let reply = try await api.call(.post, api.sitePath(path), body: [:])
                #expect(reply.status == .badRequest)
                #expect(reply.error?["field"] as? String == "repair")
            }
            #expect(try await api.call(.post, api.sitePath("/reconcile?repair=true"), body: [:]).status == .ok)
            let format = try await api.call(.get, api.sitePath("/capacity/history?format=xml"))
            #expect(format.status == .badRequest)
            #expect(format.error?["field"] as? String == "format")
            #expect(try await api.call(.get, api.sitePath("/capacity/history?format=json")).status == .ok)
        }
    }
}
