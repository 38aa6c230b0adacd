import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisTestSupport
import Testing
import UsherHTTP

@Suite("canned messages and business hours over HTTP")
struct CannedMessagesAPITests {
    private static var agentPresence: [String: Any] { ["status": "available", "maxChats": 1, "session": "s1"] }

    @Test("ops save, read, list and delete canned messages; broken templates and duplicates are refused naming the problem")
    func crud() async throws {
        try await API.run { api in
            let ops = try await api.token(role: "ops")
            let website = try await api.token(role: "website")
            let path = api.sitePath("/canned-messages/hello-de")
            let body: [String: Any] = ["kind": "greeting", "locale": "de", "template": "Hallo{{#visitorName}} {{visitorName}}{{/visitorName}}!"]
            let created = try await api.call(.put, path, token: ops, body: body)
            #expect(created.status == .created)
            #expect(created["name"] as? String == "hello-de")
            #expect(created["updatedAt"] as? String != nil)
            #expect(try await api.call(.put, path, token: ops, body: body).status == .ok)
            #expect(try await api.call(.get, path, token: ops)["template"] as? String == body["template"] as? String)
            let list = try await api.call(.get, api.sitePath("/canned-messages"), token: ops)
            #expect((list["cannedMessages"] as? [Any])?.count == 1)
            #expect(try await api.call(.get, path, token: website).status == .forbidden)

            let unknown = try await api.call(
                .put, api.sitePath("/canned-messages/x"), token: ops, body: ["kind": "greeting", "template": "Hi {{agent}}"])
            #expect(unknown.status == .badRequest)
            #expect(unknown.error?["field"] as? String == "template")
            #expect((unknown.error?["message"] as? String)?.contains("unknown variable agent") == true)
            let broken = try await api.call(
                .put, api.sitePath("/canned-messages/x"), token: ops, body: ["kind": "queued", "template": "{{#position}}"])
            #expect(broken.status == .badRequest)
            #expect(broken.error?["field"] as? String == "template")
            let badKind = try await api.call(.put, api.sitePath("/canned-messages/x"), token: ops, body: ["kind": "farewell", "template": "Bye"])
            #expect(badKind.status == .badRequest)
            let twin = try await api.call(
                .put, api.sitePath("/canned-messages/x"), token: ops, body: ["kind": "greeting", "locale": "DE", "template": "Hi"])
            #expect(twin.status == .conflict)
            #expect((twin.error?["message"] as? String)?.contains("hello-de") == true)
            #expect(try await api.call(.get, api.sitePath("/canned-messages/x"), token: ops).status == .notFound)

            #expect(try await api.call(.delete, path, token: ops).status == .noContent)
            #expect(try await api.call(.delete, path, token: ops).status == .notFound)
            #expect((try await api.call(.get, api.sitePath("/canned-messages"), token: ops)["cannedMessages"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a template changed through one instance is used by the other at once, in the visitor's language")
    func cacheRefreshAcrossInstances() async throws {
        try await API.runTwoInstances { a, b in
            let website = try await a.token(role: "website")
            #expect(
                try await a.call(.put, a.sitePath("/agents/a1/presence"), body: ["status": "available", "maxChats": 5, "session": "s"]).status == .ok)
            func greet(_ api: API, _ visitor: String) async throws -> String? {
                let body: [String: Any] = ["visitor": visitor, "source": "reactive", "locale": "de-CH", "name": "Zoë"]
                return try await api.call(.post, api.sitePath("/chats"), token: website, body: body)["chat", "firstResponse", "text"] as? String
            }
            #expect(try await greet(b, "v1")?.hasPrefix("Hi Zoë!") == true)  // built-in: the site has no messages yet

            let message: [String: Any] = ["kind": "greeting", "locale": "de", "template": "Grüezi {{visitorName}}, willkommen!"]
            #expect(try await a.call(.put, a.sitePath("/canned-messages/hello"), body: message).status == .created)
            #expect(try await greet(b, "v2") == "Grüezi Zoë, willkommen!")

            let changed: [String: Any] = ["kind": "greeting", "locale": "de", "template": "Hoi {{visitorName}}"]
            #expect(try await a.call(.put, a.sitePath("/canned-messages/hello"), body: changed).status == .ok)
            #expect(try await greet(b, "v3") == "Hoi Zoë")
            #expect(try await greet(a, "v4") == "Hoi Zoë")

            #expect(try await b.call(.delete, b.sitePath("/canned-messages/hello")).status == .noContent)
            #expect(try await greet(a, "v5")?.hasPrefix("Hi Zoë!") == true)
        }
    }

    @Test("accept, request and read carry the rendered first response; a markup name comes back as inert text")
    func firstResponsesInEveryState() async throws {
        try await API.run(settings: ["maxWaiting": 1]) { api in
            let website = try await api.token(role: "website")
            let agent = try await api.token(role: "agent", agent: "a1")
            for (name, kind, template) in [
                ("g", "greeting", "Hello {{visitorName}} from {{queue}}"), ("q", "queued", "#{{position}}, ~{{estimatedWaitSeconds}} s"),
                ("u", "unavailable", "Sorry{{#visitorName}} {{visitorName}}{{/visitorName}}"),
            ] {
                #expect(
                    try await api.call(.put, api.sitePath("/canned-messages/\(name)"), body: ["kind": kind, "template": template]).status == .created)
            }
            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: Self.agentPresence).status == .ok)
            let markup = "<img src=x onerror=alert(1)>"
            let poll = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v1"])
            let invitation = try #require(poll["invitation", "id"] as? String)
            let accepted = try await api.call(
                .post, api.sitePath("/invitations/\(invitation)/accept"), token: website, body: ["visitor": "v1", "name": markup]
            )
            #expect(accepted["chat", "firstResponse", "text"] as? String == "Hello \(markup) from default")

            let waiting = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v2", "source": "reactive"])
            #expect(waiting["chat", "firstResponse", "text"] as? String == "#1, ~300 s")
            let full = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v3", "source": "reactive", "name": "Al"])
            #expect(full.status == .tooManyRequests)
            #expect(full["firstResponse", "text"] as? String == "Sorry Al")

            let chats = try await api.call(.get, api.sitePath("/agents/a1/chats"), token: agent)
            let chat = try #require(((chats["chats"] as? [[String: Any]])?.first)?["id"] as? String)
            #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/end"), token: agent).status == .noContent)
            let waitingID = try #require(waiting["chat", "id"] as? String)
            let read = try await api.call(.get, api.sitePath("/chats/\(waitingID)?visitor=v2"), token: website)
            #expect(read["chat", "state"] as? String == "assigned")
            #expect(read["chat", "firstResponseChanged"] as? Bool == true)
            #expect(read["chat", "firstResponse", "text"] as? String == "Hello  from default")
        }
    }

    @Test("business hours: ops set them; a closed queue withholds with reason closed and refuses chats with 409 and opensAt")
    func closedOverHTTP() async throws {
        try await API.run { api in
            let ops = try await api.token(role: "ops")
            let website = try await api.token(role: "website")
            #expect(try await api.call(.get, api.sitePath("/hours"), token: ops).status == .notFound)
            // Open all day every day in Zurich, but closed today and tomorrow (UTC dates, so closed now wherever midnight is).
            let today = Date()
            let dates = [today, today.addingTimeInterval(86_400)].map { $0.formatted(.iso8601.year().month().day()) }
            let allDay = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map {
                ($0, [["open": "00:00", "close": "24:00"]])
            }
            let hours: [String: Any] = [
                "timeZone": "UTC",
                "weekly": Dictionary(uniqueKeysWithValues: allDay),
                "exceptions": dates.map { ["date": $0, "hours": [Any]()] },
            ]
            let saved = try await api.call(.put, api.sitePath("/hours"), token: ops, body: hours)
            #expect(saved.status == .ok)
            #expect(saved["timeZone"] as? String == "UTC")
            #expect(try await api.call(.get, api.sitePath("/hours"), token: ops)["exceptions"] as? [Any] != nil)
            let bad = try await api.call(.put, api.sitePath("/hours"), token: ops, body: ["timeZone": "Nowhere/City", "weekly": [:]])
            #expect(bad.status == .badRequest)
            #expect(bad.error?["field"] as? String == "timeZone")
            #expect(try await api.call(.get, api.sitePath("/hours"), token: ops)["timeZone"] as? String == "UTC")

            #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), body: Self.agentPresence).status == .ok)
            let poll = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v1"])
            #expect(poll["decision"] as? String == "withhold")
            #expect(poll["reason"] as? String == "closed")
            // The opening is over a day away: the retry is capped at closedRetryMaxSeconds.
            #expect(poll["retryAfterSeconds"] as? Int == 900)
            let chat = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v2", "source": "reactive"])
            #expect(chat.status == .conflict)
            #expect(chat.errorCode == "closed")
            #expect(chat["firstResponse", "kind"] as? String == "unavailable")
            #expect((chat["firstResponse", "text"] as? String)?.contains("00:00") == true)
            #expect((chat["opensAt"] as? String)?.hasSuffix("T00:00:00.000Z") == true)
            #expect(try await api.call(.delete, api.sitePath("/hours"), token: ops).status == .noContent)
            let open = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v9"])
            #expect(open["decision"] as? String == "invite")
        }
    }
}
