import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisClient
import RedisTestSupport
import Testing
import UsherCore

@testable import UsherHTTP

@Suite("load shedding")
struct OverloadTests {
    /// An application on `redis` that answers one request at once, ready, with a site without rate limits: `body`
    /// gets the API, the site's website token, the application's Redis client and its admission.
    static func withOnePlace(
        redis: RedisConfiguration, live: Bool, _ body: @Sendable @escaping (API, String, RedisClient, Admission) async throws -> Void
    ) async throws {
        let configuration = API.configuration(redis: redis)
        let redis = RedisClient(configuration: configuration.redis, scripts: Broker.scripts, logger: TestRedis.logger)
        let broker = Broker(redis: redis, configuration: configuration.broker)
        let feeds = CapacityFeeds(broker: broker, intervalMilliseconds: configuration.observation.streamIntervalMilliseconds)
        let admission = Admission(limit: 1)
        let router = buildRouter(configuration: configuration, broker: broker, feeds: feeds, admission: admission)
        let app = Application(router: router, services: [redis, feeds], logger: TestRedis.logger)
        try await app.test(live ? .live : .router) { client in
            try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
            }
            let api = API(client: client, site: "o-" + UUID().uuidString.prefix(12).lowercased())
            let created = try await api.call(.put, api.sitePath(), body: API.unlimited)
            guard created.status == .created else { throw SetupFailure(what: "site creation: \(created.status)") }
            try await body(api, try await api.token(role: "website"), redis, admission)
        }
    }

    @Test("past the requests it may answer at once, an instance withholds polls and refuses the rest with 503, at once")
    func sheds() async throws {
        try await TestRedis.withPrivateServer { server in
            let redis = RedisConfiguration(port: server.port, commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds)
            try await Self.withOnePlace(redis: redis, live: false) { api, token, redis, admission in
                // Scripts wait while Redis pauses writes, so the first poll stays in flight until it resumes.
                _ = try await redis.send(["CLIENT", "PAUSE", "20000", "WRITE"])
                async let held = api.call(.post, api.sitePath("/invitations"), token: token, body: ["visitor": "v1"])
                try await TestRedis.eventually("a poll is in flight") { admission.current == 1 }
                let poll = try await api.call(.post, api.sitePath("/invitations"), token: token, body: ["visitor": "v2"])
                #expect(poll.status == .ok)
                #expect(poll["decision"] as? String == "withhold")
                #expect(poll["reason"] as? String == "unavailable")
                #expect(poll.headers[.retryAfter] == "5")
                let chat = try await api.call(.post, api.sitePath("/chats"), token: token, body: ["visitor": "v3"])
                #expect(chat.status == .serviceUnavailable)
                #expect(chat.errorCode == "overloaded")
                #expect(chat.headers[.retryAfter] == "5")
                // Health is not site API: it still answers.
                #expect(try await api.client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
                _ = try await redis.send(["CLIENT", "UNPAUSE"])
                let first = try await held
                #expect(first.status == .ok)
                #expect(first["reason"] as? String == "no_capacity")
                #expect(admission.current == 0)
                // With room again, requests are answered.
                let again = try await api.call(.post, api.sitePath("/invitations"), token: token, body: ["visitor": "v2"])
                #expect(again["reason"] as? String == "no_capacity")
            }
        }
    }

    @Test("a client that drips its body holds no place among the requests being answered")
    func slowBodyIsNotCounted() async throws {
        try await TestRedis.withConfiguration { redis in
            try await Self.withOnePlace(redis: redis, live: true) { api, token, _, admission in
                let port = try #require(api.client.port)
                // A head, then a few bytes of a 100-byte body, then nothing until the client gives up.
                let head =
                    "POST \(api.sitePath("/invitations")) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"visitor\""
                let dripping = Task { try await ConnectionTests.exchange(port: port, sending: head, seconds: 3) }
                // Time for the server to read the head and start on the request, had it counted it.
                try await Task.sleep(for: .milliseconds(500))
                #expect(admission.current == 0)
                let poll = try await api.call(.post, api.sitePath("/invitations"), token: token, body: ["visitor": "v1"])
                #expect(poll["reason"] as? String == "no_capacity")
                _ = try await dripping.value
            }
        }
    }

    @Test("only a site's invitation poll counts as a poll")
    func pollRoute() {
        func request(_ method: HTTPRequest.Method, _ path: String) -> Request {
            Request(head: HTTPRequest(method: method, scheme: "http", authority: "usher", path: path), body: .init(buffer: ByteBuffer()))
        }
        #expect(AdmissionMiddleware<UsherRequestContext>.isPoll(request(.post, "/v1/sites/s1/invitations")))
        #expect(!AdmissionMiddleware<UsherRequestContext>.isPoll(request(.get, "/v1/sites/s1/invitations")))
        #expect(!AdmissionMiddleware<UsherRequestContext>.isPoll(request(.post, "/v1/sites/s1/invitations/i1/accept")))
        #expect(!AdmissionMiddleware<UsherRequestContext>.isPoll(request(.post, "/v1/sites/s1/chats")))
    }
}
