import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every number a caller can send, at the edges of what JSON, Int64 and the clock hold.
@Suite("numbers at their limits")
struct BoundaryTests {
    /// The values every numeric field and parameter is sent, as JSON literals (a body) and as query text.
    static let values: [(json: String, query: String)] = [
        ("-9223372036854775808", "-9223372036854775808"),
        ("9223372036854775807", "9223372036854775807"),
        ("9223372036854775808", "9223372036854775808"),
        ("-1", "-1"),
        ("0", "0"),
        ("1", "1"),
        ("1e300", "1e300"),
        ("1.5", "1.5"),
        ("\"NaN\"", "NaN"),
        ("\"" + String(repeating: "9", count: 10_000) + "\"", String(repeating: "9", count: 10_000)),
        ("[1]", "%5B1%5D"),
        ("{}", "%7B%7D"),
    ]
    /// In range for some field: these may be taken, or refused naming the field.
    static let plausible: Set<String> = ["0", "1"]
    static let megabyte = String(repeating: "9", count: 1_048_576)

    /// A numeric body field: the route, the token's role (nil for the admin), the body with `VALUE` where the number
    /// goes, and the field an error must name.
    static let bodyFields: [(method: HTTPRequest.Method, path: String, role: String?, body: String, field: String)] = {
        let settings = [
            "holdSeconds", "cooldownSeconds", "heartbeatSeconds", "orphanGraceSeconds", "maxWaiting", "pollRetrySeconds",
            "averageHandleSeconds", "closedRetryMaxSeconds", "maxWaitSeconds", "siteRequestsPerSecond", "siteBurstRequests",
            "addressRequestsPerMinute", "addressBurstRequests",
        ]
        var fields = settings.map { (HTTPRequest.Method.put, "", String?.none, "{\"\($0)\": VALUE}", $0) }
        fields.append((.put, "", nil, #"{"reserve": {"support": VALUE}}"#, "reserve.support"))
        fields.append((.put, "/agents/a1/presence", "agent", #"{"status": "available", "maxChats": VALUE, "session": "s"}"#, "maxChats"))
        fields.append((.post, "/chats", nil, #"{"visitor": "v9", "source": "escalation", "priority": VALUE}"#, "priority"))
        return fields
    }()

    /// What a refusal may change: the site's settings and its capacity (agents, slots, waiting line).
    static func state(_ api: API) async throws -> String {
        let settings = try await api.call(.get, api.sitePath())
        let capacity = try await api.call(.get, api.sitePath("/capacity"))
        let view: [String: Any] = [
            "settings": settings["settings"] ?? NSNull(), "agents": capacity["agents"] ?? NSNull(),
            "slots": capacity["slots"] ?? NSNull(), "waiting": capacity["waiting"] ?? NSNull(),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: view, options: .sortedKeys), as: UTF8.self)
    }

    static func expectRefused(_ reply: API.Reply, field: String, plausible: Bool, _ what: String) {
        if plausible && reply.status.code < 300 { return }
        #expect((400..<500).contains(reply.status.code), "\(what) answered \(reply.status)")
        #expect(reply.errorCode == "invalid_request", "\(what): \(reply.json)")
        #expect(reply.error?["field"] as? String == field, "\(what): \(reply.json)")
    }

    @Test(
        "every numeric body field refuses values beyond its range, fractions, non-numbers and huge strings with 400 naming the field, and changes nothing"
    )
    func bodyNumbers() async throws {
        try await API.run { api in
            let agent = try await api.token(role: "agent", agent: "a1")
            let original = try #require(try await api.call(.get, api.sitePath())["settings"] as? [String: Any])
            for (method, path, role, template, field) in Self.bodyFields {
                let token = role == nil ? API.adminToken : agent
                // Renewed for every field, so no heartbeat lapses while a field is tried.
                let presence: [String: Any] = ["status": "available", "maxChats": 2, "session": "s"]
                #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), token: agent, body: presence).status == .ok)
                for value in Self.values {
                    let plausible = Self.plausible.contains(value.json)
                    let before = try await Self.state(api)
                    let body = template.replacingOccurrences(of: "VALUE", with: value.json)
                    let reply = try await api.call(method, api.sitePath(path), token: token, raw: body)
                    Self.expectRefused(reply, field: field, plausible: plausible, "\(method) \(path) \(field)=\(value.json.prefix(30))")
                    if !plausible {
                        #expect(try await Self.state(api) == before, "\(field)=\(value.json.prefix(30)) changed the state")
                    } else if path.isEmpty, reply.status.code < 300 {
                        // A setting of 1 second (a heartbeat, say) taken: back to the original before the next value.
                        #expect(try await api.call(.put, api.sitePath(), body: original).status == .ok)
                    }
                }
                // A megabyte is refused for its size before it is read.
                let huge = try await api.call(
                    method, api.sitePath(path), token: token, raw: template.replacingOccurrences(of: "VALUE", with: Self.megabyte))
                #expect(huge.status == .contentTooLarge)
                #expect(huge.errorCode == "body_too_large")
            }
            #expect(try await api.call(.get, "/healthz", token: nil).status == .ok)
        }
    }

    @Test("a body nested as deep as its size allows is refused with a 4xx, not a crash")
    func deepNesting() async throws {
        try await API.run { api in
            let depth = 8_000
            for body in [
                String(repeating: "[", count: depth),
                "{\"holdSeconds\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}",
            ] {
                let reply = try await api.call(.put, api.sitePath(), raw: body)
                #expect((400..<500).contains(reply.status.code), "answered \(reply.status)")
            }
            #expect(try await api.call(.get, "/healthz", token: nil).status == .ok)
        }
    }

    @Test("every numeric query parameter of the history refuses what an instant or a step cannot be with 400 naming it, and never traps")
    func queryNumbers() async throws {
        try await API.run { api in
            let now = Int64(Date().timeIntervalSince1970 * 1_000)
            // The other two parameters such that only this one can be at fault, whatever its value in range.
            let others = [
                "from": ["to": "3600000", "step": "3600"],
                "to": ["from": "0", "step": "31622400"],
                "step": ["from": String(now - 3_600_000), "to": String(now)],
            ]
            for (parameter, context) in others {
                for value in Self.values.map(\.query) + [Self.megabyte] {
                    var query = context
                    query[parameter] = value
                    let text = query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
                    let reply = try await api.call(.get, api.sitePath("/capacity/history?\(text)"))
                    Self.expectRefused(reply, field: parameter, plausible: Self.plausible.contains(value), "\(parameter)=\(value.prefix(30))")
                }
            }
            #expect(try await api.call(.get, "/healthz", token: nil).status == .ok)
        }
    }

    @Test("an instant beyond what Int64 milliseconds or the year 9999 hold is refused naming its field, even without a valid token")
    func instantsOutOfRange() async throws {
        try await API.run { api in
            let cases = [
                ("to=9223372036854775807", "to"), ("to=-9223372036854775808", "to"), ("from=-9223372036854775808", "from"),
                ("to=-1", "to"), ("to=+275760-09-13T00:00:00Z", "to"), ("to=99999-01-01T00:00:00Z", "to"),
                ("from=292278994-08-17T07:12:55Z", "from"), ("to=10000-01-01T00:00:00Z", "to"), ("step=9223372036854775807", "step"),
                ("step=-9223372036854775808", "step"),
            ]
            for (query, field) in cases {
                for token in [API.adminToken, "x"] {
                    let reply = try await api.call(.get, api.sitePath("/capacity/history?\(query)"), token: token)
                    #expect(reply.status == .badRequest, "\(query) with token \(token) answered \(reply.status)")
                    #expect(reply.error?["field"] as? String == field, "\(query): \(reply.json)")
                }
            }
            #expect(try await api.call(.get, "/healthz", token: nil).status == .ok)
        }
    }

    @Test("any RFC 3339 instant is valid: one before 1970 reads from 1970 (an end, its first minute), one past 9999 up to 9999")
    func instantsClamped() async throws {
        try await API.run { api in
            for query in [
                "from=0683-12-07T13:38:48%2B19:59&to=1971-01-01T00:00:00Z&step=31622400",
                "from=9999-01-01T00:00:00Z&to=9999-12-31T23:59:59-19:59&step=31622400",
                "from=9999-01-01T00:00:00Z&to=999999999999999&step=31622400",
                "to=0654-02-06T12:21:06.795216%2B10:57", "to=0",
            ] {
                let reply = try await api.call(.get, api.sitePath("/capacity/history?\(query)"))
                #expect(reply.status == .ok, "\(query): \(reply.json)")
            }
        }
    }

    @Test("a history reaching years past now answers at once: the read stops at now")
    func historyPastNow() async throws {
        try await API.run { api in
            let now = Int64(Date().timeIntervalSince1970 * 1_000)
            let started = ContinuousClock.now
            let tenYears: Int64 = 10 * 365 * 86_400_000
            let query = "from=\(now - 3_600_000)&to=\(now + tenYears)&step=31622400"
            let reply = try await api.call(.get, api.sitePath("/capacity/history?\(query)"))
            #expect(reply.status == .ok)
            // Before the read stopped at now this was 5.3 million minutes of Redis reads; a generous bound, not a benchmark.
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
