import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RedisTestSupport
import Testing
import UsherHTTP

@Suite("metrics, history, live feed, CORS and static files")
struct ObservationTests {
    /// Three withheld polls, then an agent with 2 slots, an invitation issued and accepted, a reactive chat and its
    /// first response: what every test below looks for.
    static func decide(_ api: API) async throws -> (website: String, chat: String) {
        let website = try await api.token(role: "website")
        for index in 0..<3 {
            let reply = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "early\(index)"])
            #expect(reply["reason"] as? String == "no_capacity")
        }
        let presence = try await api.call(
            .put, api.sitePath("/agents/alice/presence"), body: ["status": "available", "maxChats": 2, "session": "s"]
        )
        #expect(presence.status == .ok)
        let invite = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v1"])
        let id = try #require(invite["invitation", "id"] as? String)
        let accepted = try await api.call(.post, api.sitePath("/invitations/\(id)/accept"), token: website, body: ["visitor": "v1"])
        #expect(accepted["chat", "state"] as? String == "assigned")
        let requested = try await api.call(
            .post, api.sitePath("/chats"), token: website, body: ["visitor": "v2", "source": "reactive"]
        )
        let chat = try #require(requested["chat", "id"] as? String)
        #expect(try await api.call(.post, api.sitePath("/chats/\(chat)/first-response")).status == .noContent)
        return (website, chat)
    }

    static func text(_ client: any TestClientProtocol, _ path: String, token: String? = API.adminToken, headers: HTTPFields = [:])
        async throws -> (HTTPResponse.Status, HTTPFields, String)
    {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: path, method: .get, headers: headers) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    @Test(
        "/metrics shows the site's gauges and counters from Redis, decision and first-response histograms, HTTP and Redis figures, and passes promtool"
    )
    func metrics() async throws {
        try await API.run { api in
            _ = try await Self.decide(api)
            var exposition = ""
            // The sampler reads Redis every 200 ms in tests; wait for it to have seen the decisions.
            try await TestRedis.eventually("the sampler reported the site", seconds: 10) {
                exposition = (try? await Self.text(api.client, "/metrics", token: API.metricsToken).2) ?? ""
                return Self.sample(exposition, "usher_chats_started_total", ["site": api.site, "queue": "default", "source": "reactive"]) == 1
            }
            let site = ["site": api.site, "queue": "*"]
            #expect(Self.sample(exposition, "usher_slots", site.merging(["state": "total"]) { $1 }) == 2)
            #expect(Self.sample(exposition, "usher_slots", site.merging(["state": "chats"]) { $1 }) == 2)
            #expect(Self.sample(exposition, "usher_slots", site.merging(["state": "free"]) { $1 }) == 0)
            #expect(Self.sample(exposition, "usher_agents", site.merging(["status": "available"]) { $1 }) == 1)
            #expect(Self.sample(exposition, "usher_waiting_chats", site) == 0)
            let queue = ["site": api.site, "queue": "default"]
            #expect(Self.sample(exposition, "usher_invitations_total", queue.merging(["outcome": "issued"]) { $1 }) == 1)
            #expect(Self.sample(exposition, "usher_invitations_total", queue.merging(["outcome": "accepted"]) { $1 }) == 1)
            // Polls before any agent served the queue count for `default`, which every site has.
            #expect(Self.sample(exposition, "usher_invitations_withheld_total", queue.merging(["reason": "no_capacity"]) { $1 }) == 3)
            #expect(Self.sample(exposition, "usher_chats_started_total", queue.merging(["source": "invitation"]) { $1 }) == 1)
            #expect(Self.sample(exposition, "usher_time_to_first_response_seconds_count", queue) == 1)
            #expect(Self.sample(exposition, "usher_wait_in_line_seconds_count", queue) == 1)
            #expect((Self.sample(exposition, "usher_decision_duration_seconds_count", ["decision": "invitation"]) ?? 0) >= 4)
            #expect((Self.sample(exposition, "usher_redis_commands_total", [:]) ?? 0) > 0)
            #expect(exposition.contains("usher_http_requests_total{"))
            #expect(exposition.contains("route=\"/v1/sites/{site}/invitations\""))
            // No visitor or chat id ever becomes a label.
            #expect(!exposition.contains("early0") && !exposition.contains("\"v1\""))
            // Every metric has its own help text from the catalog.
            #expect(!exposition.contains("Usher metric "))

            let (status, output) = try Self.promtool(exposition)
            #expect(status == 0, "promtool check metrics: \(output)")
        }
    }

    @Test("made-up methods add no metric series: they are counted as one method, other")
    func madeUpMethods() async throws {
        try await API.run { api in
            for index in 0..<50 {
                let method = try #require(HTTPRequest.Method("MADEUP\(index)"))
                let status = try await api.client.execute(uri: "/healthz", method: method) { $0.status }
                #expect(status.code >= 400 && status.code < 500)
            }
            let (_, _, text) = try await Self.text(api.client, "/metrics")
            let series = text.split(separator: "\n").filter { $0.hasPrefix("usher_http_requests_total{") }
            #expect(!series.contains { $0.contains("MADEUP") })
            #expect(series.contains { $0.contains("method=\"other\"") })
        }
    }

    @Test("/metrics on the API's port needs the metrics or the admin token: it names every site")
    func metricsNeedAToken() async throws {
        try await API.run { api in
            let (none, headers, _) = try await Self.text(api.client, "/metrics", token: nil)
            #expect(none == .unauthorized)
            #expect(headers[.wwwAuthenticate] == "Bearer")
            #expect(try await Self.text(api.client, "/metrics", token: "wrong").0 == .forbidden)
            let ops = try await api.token(role: "ops")
            #expect(try await Self.text(api.client, "/metrics", token: ops).0 == .forbidden)
            #expect(try await Self.text(api.client, "/metrics", token: API.metricsToken).0 == .ok)
            #expect(try await Self.text(api.client, "/metrics", token: API.adminToken).0 == .ok)
        }
    }

    @Test("/metrics on the API's port is closed when neither a metrics token nor an admin token is configured")
    func metricsClosedByDefault() async throws {
        try await TestRedis.withConfiguration { redis in
            let app = buildApplication(configuration: UsherConfiguration(redis: redis, logLevel: .error))
            try await app.test(.router) { client in
                for token in [nil, "", "anything"] as [String?] {
                    let (status, _, body) = try await Self.text(client, "/metrics", token: token)
                    #expect(status == .forbidden, "token \(String(describing: token))")
                    #expect(!body.contains("usher_"))
                }
            }
        }
    }

    @Test("the history counts each minute's decisions per queue and for the site, and exports CSV")
    func history() async throws {
        try await API.run { api in
            let (website, _) = try await Self.decide(api)
            var reply = try await api.call(.get, api.sitePath("/capacity/history?step=60"))
            #expect(reply.status == .ok)
            try await TestRedis.eventually("a sample with the agent's slots reached the history", seconds: 30) {
                reply = (try? await api.call(.get, api.sitePath("/capacity/history?step=3600"))) ?? reply
                let points = (reply["series"] as? [String: Any])?["*"] as? [[String: Any]]
                return points?.contains { ($0["slots"] as? Double ?? 0) > 0 } == true
            }
            let site = try #require((reply["series"] as? [String: Any])?["*"] as? [[String: Any]])
            let queue = try #require((reply["series"] as? [String: Any])?["default"] as? [[String: Any]])
            func total(_ points: [[String: Any]], _ key: String) -> Int { points.reduce(0) { $0 + (($1[key] as? Int) ?? 0) } }
            // The polls came before any agent served the queue: `default` exists all the same.
            #expect(total(site, "withheld") == 3)
            #expect(total(queue, "withheld") == 3)
            for points in [site, queue] {
                func total(_ key: String) -> Int { points.reduce(0) { $0 + (($1[key] as? Int) ?? 0) } }
                #expect(total("issued") == 1)
                #expect(total("accepted") == 1)
                #expect(total("firstResponses") == 1)
                let started = points.compactMap { $0["started"] as? [String: Int] }.reduce(into: [String: Int]()) {
                    $0.merge($1, uniquingKeysWith: +)
                }
                #expect(started == ["invitation": 1, "reactive": 1])
            }
            // A mean over the step's samples: some may predate the agent.
            #expect(site.allSatisfy { ($0["slots"] as? Double ?? 0) <= 2 })
            #expect(reply["stepSeconds"] as? Int == 3_600)
            #expect((reply["storage", "minutes"] as? Int ?? 0) >= 1)
            #expect((reply["storage", "bytes"] as? Int ?? 0) > 0)
            #expect(reply["storage", "retentionSeconds"] as? Int == 8 * 86_400)

            let (status, headers, csv) = try await Self.text(api.client, api.sitePath("/capacity/history?step=3600&format=csv"))
            #expect(status == .ok)
            #expect(headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.split(separator: "\n")
            #expect(lines.first?.hasPrefix("time,queue,agents,slots,chatting,held,free,waiting,issued,withheld,") == true)
            // Summed over the site's rows: the test may straddle an hour, which splits the counts over two.
            let header = lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false) } ?? []
            let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }.filter {
                $0.count == header.count && $0[1] == "*"
            }
            func column(_ name: String) -> Int {
                guard let index = header.firstIndex(of: Substring(name)) else { return -1 }
                return rows.reduce(0) { $0 + (Int($1[index]) ?? 0) }
            }
            #expect(column("issued") == 1)
            #expect(column("withheld") == 3)

            for (query, field) in [
                ("step=90", "step"), ("step=0", "step"), ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                ("from=yesterday", "from"), ("from=0&step=60", "step"),
            ] {
                let refused = try await api.call(.get, api.sitePath("/capacity/history?\(query)"))
                #expect(refused.status == .badRequest, "\(query)")
                #expect(refused["error", "field"] as? String == field, "\(query)")
            }
            #expect(try await api.call(.get, api.sitePath("/capacity/history"), token: website).status == .forbidden)
        }
    }

    @Test("the capacity stream sends the view, then changes made through another instance, and heartbeats")
    func stream() async throws {
        try await API.runTwoInstances { a, b in
            let ops = try await a.token(role: "ops")
            async let streamed = Self.text(a.client, a.sitePath("/capacity/stream"), token: ops)
            // Well inside the 3 s the stream lasts in tests, and after its first view even on a busy machine.
            try await Task.sleep(for: .milliseconds(1_500))
            let presence = try await b.call(
                .put, b.sitePath("/agents/alice/presence"), body: ["status": "available", "maxChats": 3, "session": "s"]
            )
            #expect(presence.status == .ok)
            let (status, headers, body) = try await streamed
            #expect(status == .ok)
            #expect(headers[.contentType] == "text/event-stream")
            let events = body.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: capacity") }
            let totals = events.compactMap { event -> Int? in
                guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                    let json = try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any]
                else { return nil }
                return (json["slots"] as? [String: Any])?["total"] as? Int
            }
            // The first view, then the one change; an unchanged view is never sent twice.
            #expect(totals == [0, 3])
            #expect(body.contains(": heartbeat\n\n"))

            let website = try await a.token(role: "website")
            let refused = try await Self.text(a.client, a.sitePath("/capacity/stream"), token: website)
            #expect(refused.0 == .forbidden)
            #expect(refused.2.contains("\"code\":\"forbidden\""))
        }
    }

    @Test("a capacity stream whose token is revoked ends with an error event")
    func streamRevoked() async throws {
        try await API.run { api in
            let issued = try await api.call(.post, api.sitePath("/tokens"), body: ["role": "ops"])
            let id = try #require(issued["id"] as? String)
            let token = try #require(issued["token"] as? String)
            async let streamed = Self.text(api.client, api.sitePath("/capacity/stream"), token: token)
            try await Task.sleep(for: .milliseconds(1_000))
            #expect(try await api.call(.delete, api.sitePath("/tokens/\(id)")).status == .noContent)
            let (status, _, body) = try await streamed
            #expect(status == .ok)
            #expect(body.hasPrefix("event: capacity\n"))
            #expect(body.contains("event: error\ndata: {\"error\":{\"code\":\"forbidden\""))
        }
    }

    @Test("CORS: the site's allowed origins may call the website endpoints, others get no CORS headers and a 403 preflight")
    func cors() async throws {
        try await API.run(settings: ["allowedOrigins": ["https://shop.example"]]) { api in
            let website = try await api.token(role: "website")
            let preflight = { (origin: String) async throws -> (HTTPResponse.Status, HTTPFields) in
                try await api.client.execute(
                    uri: api.sitePath("/invitations"), method: .options,
                    headers: [.origin: origin, .accessControlRequestMethod: "POST"]
                ) { ($0.status, $0.headers) }
            }
            let allowed = try await preflight("https://shop.example")
            #expect(allowed.0 == .noContent)
            #expect(allowed.1[.accessControlAllowOrigin] == "https://shop.example")
            #expect(allowed.1[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let other = try await preflight("https://evil.example")
            #expect(other.0 == .forbidden)
            #expect(other.1[.accessControlAllowOrigin] == nil)

            let poll = { (origin: String) async throws -> HTTPFields in
                try await api.client.execute(
                    uri: api.sitePath("/invitations"), method: .post,
                    headers: [.origin: origin, .authorization: "Bearer \(website)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"visitor":"v1"}"#)
                ) { $0.headers }
            }
            let fromShop = try await poll("https://shop.example")
            #expect(fromShop[.accessControlAllowOrigin] == "https://shop.example")
            #expect(fromShop[.accessControlExposeHeaders]?.contains("Retry-After") == true)
            #expect(try await poll("https://evil.example")[.accessControlAllowOrigin] == nil)
            // Ops endpoints are not for browsers on the website's origin.
            let capacity = try await Self.text(api.client, api.sitePath("/capacity"), headers: [.origin: "https://shop.example"])
            #expect(capacity.1[.accessControlAllowOrigin] == nil)
        }
    }

    @Test("the widget and the dashboard are served from the repository's files, the dashboard under a same-origin policy")
    func staticFiles() async throws {
        try await API.run { api in
            let widget = try await Self.text(api.client, "/v1/widget.js", token: nil)
            #expect(widget.0 == .ok)
            #expect(widget.1[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(widget.2.contains("usher:invite") && widget.2.contains("retryAfterSeconds"))
            let page = try await Self.text(api.client, "/dashboard", token: nil)
            #expect(page.0 == .ok)
            #expect(page.1[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.2.contains("/dashboard/app.js"))
            for path in ["/dashboard/app.js", "/dashboard/style.css"] {
                #expect(try await Self.text(api.client, path, token: nil).0 == .ok)
            }
        }
    }

    /// The value of the sample of `name` whose labels include `labels`, nil when there is none.
    static func sample(_ exposition: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let matches = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
            if matches, let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    /// Runs `promtool check metrics` on the exposition; promtool is installed by `scripts/install-deps --tests`.
    static func promtool(_ exposition: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool", "check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }
}
