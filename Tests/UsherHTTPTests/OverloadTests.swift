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
    @Test("past the requests it may answer at once, an instance withholds polls and refuses the rest with 503, at once")
    func sheds() async throws {
        try await TestRedis.withPrivateServer { server in
            let configuration = API.configuration(
                redis: RedisConfiguration(port: server.port, commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds)
            )
            let redis = RedisClient(configuration: configuration.redis, scripts: Broker.scripts, logger: TestRedis.logger)
            let broker = Broker(redis: redis, configuration: configuration.broker)
            let feeds = CapacityFeeds(broker: broker, intervalMilliseconds: configuration.observation.streamIntervalMilliseconds)
            let admission = Admission(limit: 1)
            let router = buildRouter(configuration: configuration, broker: broker, feeds: feeds, admission: admission)
            let app = Application(router: router, services: [redis, feeds], logger: TestRedis.logger)
            try await app.test(.router) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
                }
                let api = API(client: client, site: "o-" + UUID().uuidString.prefix(12).lowercased())
                #expect(try await api.call(.put, api.sitePath(), body: API.unlimited).status == .created)
                let token = try await api.token(role: "website")
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
                #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
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
