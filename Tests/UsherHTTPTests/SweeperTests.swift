import Foundation
import RedisClient
import RedisTestSupport
import Testing
import UsherHTTP

@Suite("the background sweeper")
struct SweeperTests {
    @Test("a site that nobody calls and the sampler does not read still has its deadlines kept")
    func sweepsUnsampledSites() async throws {
        try await TestRedis.withPrivateServer { server in
            var configuration = API.configuration(redis: RedisConfiguration(port: server.port, clientName: "usher-test"))
            // The sampler reads one site only, and it is not this one ("a-…" sorts first): only the sweeper is left.
            configuration.observation.maxSampledSites = 1
            let app = buildApplication(configuration: configuration)
            try await app.test(.router) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
                }
                let sampled = API(client: client, site: "a-sampled")
                #expect(try await sampled.call(.put, sampled.sitePath(), body: API.unlimited).status == .created)
                let api = API(client: client, site: "z-quiet")
                let settings = API.unlimited.merging(["orphanGraceSeconds": 1, "maxWaitSeconds": 1, "holdSeconds": 1]) { $1 }
                #expect(try await api.call(.put, api.sitePath(), body: settings).status == .created)
                let website = try await api.token(role: "website")
                let presence: [String: Any] = ["status": "available", "maxChats": 1, "session": "s1"]
                #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), body: presence).status == .ok)
                let chat = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v1", "source": "reactive"])
                let chatID = try #require(chat["chat", "id"] as? String)
                let waiting = try await api.call(.post, api.sitePath("/chats"), token: website, body: ["visitor": "v2", "source": "reactive"])
                let waitingID = try #require(waiting["chat", "id"] as? String)
                var offline = presence
                offline["status"] = "offline"
                #expect(try await api.call(.put, api.sitePath("/agents/a1/presence"), body: offline).status == .ok)

                // From here on nothing calls the site; its records are read straight from Redis.
                try await TestRedis.withClient(RedisConfiguration(port: server.port, clientName: "usher-test-reader")) { redis in
                    func state(_ id: String) async -> String? {
                        try? await redis.send(["HGET", "usher:{z-quiet}:chat:\(id)", "state"]).string
                    }
                    try await TestRedis.eventually("the offline agent's chat is orphaned and the waiting chat abandoned", seconds: 15) {
                        let orphaned = await state(chatID) == "orphaned"
                        let abandoned = await state(waitingID) == "abandoned"
                        return orphaned && abandoned
                    }
                    #expect(try await redis.send(["HGET", "usher:{z-quiet}:totals", "chats"]).string == "0")
                    #expect(try await redis.send(["HGET", "usher:{z-quiet}:totals", "waiting"]).string == "0")
                }
            }
        }
    }
}
