import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing
import UsherHTTP

@Suite("tenants, roles and bad input")
struct AuthAndInputTests {
    /// Every v1 endpoint, as (method, path under the site, body).
    static var endpoints: [(HTTPRequest.Method, String, [String: Any]?)] {
        [
            (.get, "", nil),
            (.post, "/tokens", ["role": "website"]),
            (.delete, "/tokens/abc", nil),
            (.post, "/invitations", ["visitor": "v1"]),
            (.post, "/invitations/i1/accept", ["visitor": "v1"]),
            (.post, "/invitations/i1/decline", ["visitor": "v1"]),
            (.post, "/chats", ["visitor": "v1", "source": "reactive"]),
            (.get, "/chats/c1?visitor=v1", nil),
            (.put, "/agents/a1/presence", ["status": "available", "maxChats": 1, "session": "s"]),
            (.get, "/agents/a1/chats", nil),
            (.post, "/chats/c1/first-response", nil),
            (.post, "/chats/c1/end", nil),
            (.get, "/capacity", nil),
            (.get, "/capacity/stream", nil),
            (.get, "/capacity/history", nil),
            (.post, "/reconcile", nil),
            (.get, "/canned-messages", nil),
            (.put, "/canned-messages/hello", ["kind": "greeting", "template": "Hi"]),
            (.get, "/canned-messages/hello", nil),
            (.delete, "/canned-messages/hello", nil),
            (.put, "/hours", ["timeZone": "UTC", "weekly": ["monday": [["open": "09:00", "close": "17:00"]]]]),
            (.get, "/hours", nil),
            (.delete, "/hours", nil),
        ]
    }

    @Test("a token of another site gets 403 on every endpoint and learns nothing")
    func otherSiteToken() async throws {
        try await API.run { api in
            let other = API(client: api.client, site: api.site + "-b")
            #expect(try await api.call(.put, other.sitePath(), body: [:]).status == .created)
            let foreign = try await other.token(role: "ops")
            let foreignAgent = try await other.token(role: "agent", agent: "a1")
            for (method, path, body) in Self.endpoints {
                for token in [foreign, foreignAgent] {
                    let reply = try await api.call(method, api.sitePath(path), token: token, body: body)
                    #expect(reply.status == .forbidden, "\(method) \(path) answered \(reply.status)")
                    #expect(reply.errorCode == "forbidden")
                }
            }
            // The same for a site that does not exist at all: no hint that it does not.
            let missing = API(client: api.client, site: "no-such-site")
            #expect(try await api.call(.get, missing.sitePath("/capacity"), token: foreign).status == .forbidden)
        }
    }

    @Test("a website token cannot use agent or ops endpoints, and an agent token only its own agent")
    func roles() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            let presence: [String: Any] = ["status": "available", "maxChats": 1, "session": "s"]
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: website, body: presence).status == .forbidden)
            #expect(try await api.call(.get, api.sitePath("/agents/a1/chats"), token: website).status == .forbidden)
            #expect(try await api.call(.get, api.sitePath("/capacity"), token: website).status == .forbidden)
            #expect(try await api.call(.post, api.sitePath("/reconcile"), token: website).status == .forbidden)
            #expect(try await api.call(.post, api.sitePath("/tokens"), token: website, body: ["role": "website"]).status == .forbidden)
            #expect(try await api.call(.put, api.sitePath("/agents/a2/presence"), token: agent, body: presence).status == .forbidden)
            #expect(try await api.call(.post, api.sitePath("/invitations"), token: agent, body: ["visitor": "v"]).status == .forbidden)
            #expect(try await api.call(.put, api.sitePath(), token: website, body: [:]).status == .forbidden)
            // Canned messages, business hours, the live feed and the history are ops' to edit and read.
            for token in [website, agent] {
                #expect(try await api.call(.get, api.sitePath("/capacity/stream"), token: token).status == .forbidden)
                #expect(try await api.call(.get, api.sitePath("/capacity/history"), token: token).status == .forbidden)
                let canned = ["kind": "greeting", "template": "Hi"]
                #expect(try await api.call(.put, api.sitePath("/canned-messages/hello"), token: token, body: canned).status == .forbidden)
                #expect(try await api.call(.get, api.sitePath("/canned-messages"), token: token).status == .forbidden)
                #expect(try await api.call(.get, api.sitePath("/hours"), token: token).status == .forbidden)
                let hours: [String: Any] = ["timeZone": "UTC", "weekly": [String: Any]()]
                #expect(try await api.call(.put, api.sitePath("/hours"), token: token, body: hours).status == .forbidden)
                #expect(try await api.call(.delete, api.sitePath("/hours"), token: token).status == .forbidden)
            }
        }
    }

    @Test("an agent token cannot end or answer another agent's chat: to it, that chat does not exist")
    func otherAgentsChat() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let first = try await api.token(role: "agent", agent: "a1")
            let second = try await api.token(role: "agent", agent: "a2")
            let presence: [String: Any] = ["status": "available", "maxChats": 1, "session": "s"]
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: first, body: presence).status == .ok)
            let created = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v1", "source": "reactive"])
            let chat = try #require(created["chat", "id"] as? String)
            #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/end"), token: second).status == .notFound)
            #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/first-response"), token: second).status == .notFound)
            let mine = try await api.call(.get, api.sitePath("/agents/a1/chats"), token: first)
            #expect((mine["chats"] as? [[String: Any]])?.first?["firstResponseAt"] == nil)
            let read = try await api.call(.get, api.sitePath("/chats/\(chat)?visitor=v1"), token: website)
            #expect(read["chat", "state"] as? String == "assigned")
        }
    }

    @Test("ops may issue website and agent tokens but not ops tokens; a revoked token stops working at once")
    func tokensAndRevocation() async throws {
        try await API.run { api in
            let ops = try await api.token(role: "ops")
            #expect(try await api.call(.post, api.sitePath("/tokens"), token: ops, body: ["role": "ops"]).status == .forbidden)
            let issued = try await api.call(.post, api.sitePath("/tokens"), token: ops, body: ["role": "website"])
            #expect(issued.status == .created)
            let token = try #require(issued["token"] as? String)
            let id = try #require(issued["id"] as? String)
            #expect(try await api.call(.post, api.sitePath("/invitations"), token: token, body: ["visitor": "v1"]).status == .ok)
            #expect(try await api.call(.delete, api.sitePath("/tokens/\(id)"), token: ops).status == .noContent)
            #expect(try await api.call(.post, api.sitePath("/invitations"), token: token, body: ["visitor": "v1"]).status == .forbidden)
            #expect(try await api.call(.delete, api.sitePath("/tokens/\(id)"), token: ops).status == .notFound)
        }
    }

    @Test("spaces around a bearer token are not part of it; a token of spaces alone is none")
    func tokenSpaces() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let poll = try await api.call(.post, api.sitePath("/invitations"), token: "  \(website)   ", body: ["visitor": "v1"])
            #expect(poll.status == .ok)
            #expect(try await api.call(.get, api.sitePath(), token: " \(API.adminToken) ").status == .ok)
            let blank = try await api.call(.get, api.sitePath(), token: "    ")
            #expect(blank.status == .unauthorized)
            #expect(blank.errorCode == "unauthorized")
        }
    }

    @Test("no token is 401")
    func noToken() async throws {
        try await API.run { api in
            let reply = try await api.call(.get, api.sitePath("/capacity"), token: nil)
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "unauthorized")
        }
    }

    @Test("bad input gets 400 naming the field and changes nothing")
    func badInput() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            let cases: [(HTTPRequest.Method, String, String, [String: Any]?, String?, String)] = [
                (.put, "/agents/a1/presence", agent, ["status": "available", "maxChats": 0, "session": "s"], nil, "maxChats"),
                (.put, "/agents/a1/presence", agent, ["status": "available", "maxChats": 51, "session": "s"], nil, "maxChats"),
                (.put, "/agents/a1/presence", agent, ["status": "sleeping", "maxChats": 2, "session": "s"], nil, "status"),
                (.put, "/agents/a1/presence", agent, ["status": "available", "maxChats": "two", "session": "s"], nil, "maxChats"),
                (.put, "/agents/a1/presence", agent, ["status": "available", "maxChats": 2], nil, "session"),
                (.put, "/agents/a1/presence", agent, ["status": "available", "maxChats": 2, "session": "s", "queues": ["bad queue"]], nil, "queues"),
                (.post, "/invitations", website, ["visitor": "v{1}"], nil, "visitor"),
                (.post, "/invitations", website, [:], nil, "visitor"),
                (.post, "/chats", website, ["visitor": "v1", "source": "carrier-pigeon"], nil, "source"),
                (.post, "/chats", website, ["visitor": "v1", "source": "reactive", "priority": 10], nil, "priority"),
                (.post, "/chats", website, ["visitor": "v1", "source": "reactive", "locale": "de_CH!"], nil, "locale"),
                (.put, "", API.adminToken, ["holdSeconds": 0], nil, "holdSeconds"),
                (.put, "/agents/a:1/presence", agent, ["status": "available", "maxChats": 2, "session": "s"], nil, "agent"),
                (.post, "/chats/c:1/end", agent, nil, nil, "chat"),
                (.post, "/invitations", website, nil, "{not json", ""),
            ]
            for (method, path, token, body, raw, field) in cases {
                let reply = try await api.call(method, api.sitePath(path), token: token, body: body, raw: raw)
                #expect(reply.status == .badRequest, "\(path) \(String(describing: body)) answered \(reply.status)")
                if !field.isEmpty {
                    #expect(reply.error?["field"] as? String == field, "\(path): \(reply.json)")
                }
            }
            let capacity = try await api.call(.get, api.sitePath("/capacity"))
            #expect(capacity["agents", "offline"] as? Int == 0)
            #expect(capacity["agents", "available"] as? Int == 0)
            #expect(capacity["waiting"] as? Int == 0)
        }
    }

    @Test("path ids are read percent-decoded: an escaped letter names the same site and agent, an escaped ':' is still refused naming the field")
    func percentEncodedPathIds() async throws {
        try await API.run { api in
            // Sites are named "s-…": "%73" is the "s".
            let read = try await api.call(.get, "/v1/sites/%73" + api.site.dropFirst())
            #expect(read.status == .ok, "\(read.json)")
            #expect(read["site"] as? String == api.site)
            let agent = try await api.token(role: "agent", agent: "a1")
            let presence: [String: Any] = ["status": "available", "maxChats": 1, "session": "s"]
            #expect(try await api.call(.put, api.sitePath("/agents/%61%31/presence"), token: agent, body: presence).status == .ok)
            let colon = try await api.call(.put, api.sitePath("/agents/a%3A1/presence"), token: agent, body: presence)
            #expect(colon.status == .badRequest)
            #expect(colon.error?["field"] as? String == "agent")
            let stray = try await api.call(.get, api.sitePath("/canned-messages/a%ZZ"))
            #expect(stray.status == .badRequest)
            #expect(stray.error?["field"] as? String == "name")
        }
    }

    @Test("a queue name in reserve that is empty or malformed is refused saying so, naming reserve")
    func reserveQueueNames() async throws {
        try await API.run { api in
            for queue in ["", "a:b"] {
                let reply = try await api.call(.put, api.sitePath(), body: ["reserve": [queue: 1]])
                #expect(reply.status == .badRequest)
                #expect(reply.error?["field"] as? String == "reserve")
                let message = reply.error?["message"] as? String ?? ""
                #expect(message.contains("queue name"), "\(queue): \(message)")
            }
        }
    }

    @Test("a body over the size limit is refused with 413")
    func bodyTooLarge() async throws {
        try await API.run { api in
            let website = try await api.token(role: "website")
            let huge = ["visitor": "v1", "padding": String(repeating: "x", count: 20_000)]
            let reply = try await api.call(.post, api.sitePath("/invitations"), token: website, body: huge)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorCode == "body_too_large")
        }
    }
}

@Suite("Redis unreachable")
struct UnreachableTests {
    @Test("invitation polls fail closed with withhold/unavailable; writes get 503 with Retry-After")
    func failClosed() async throws {
        // Nothing listens on port 1 on loopback.
        let app = buildApplication(configuration: API.configuration(redis: RedisConfiguration(port: 1)))
        try await app.test(.router) { client in
            let api = API(client: client, site: "shop")
            let poll = try await api.call(.post, api.sitePath("/invitations"), token: "some-website-token", body: ["visitor": "v1"])
            #expect(poll.status == .ok)
            #expect(poll["decision"] as? String == "withhold")
            #expect(poll["reason"] as? String == "unavailable")
            #expect(poll.headers[.retryAfter] == "5")
            let chat = try await api.call(.post, api.sitePath("/chats"), token: "t", body: ["visitor": "v1", "source": "reactive"])
            #expect(chat.status == .serviceUnavailable)
            #expect(chat.errorCode == "unavailable")
            #expect(chat.headers[.retryAfter] == "5")
            #expect((chat.error?["message"] as? String)?.contains("127.0.0.1") == false)
            let presence = try await api.call(
                .put, api.sitePath("/agents/a1/presence"), token: "t", body: ["status": "available", "maxChats": 1, "session": "s"]
            )
            #expect(presence.status == .serviceUnavailable)
        }
    }
}
