import Foundation
import RedisClient
import RedisTestSupport
import Testing
import UsherCore

/// A reply lost to the command deadline, in wall-clock time: `scripts/test` runs the *TimingTests suites on their own.
@Suite("lost replies")
struct LostReplyTimingTests {
    /// Keeps Redis busy inside one script for `milliseconds`, so every command sent meanwhile waits behind it.
    static let busy = """
        local t = redis.call('TIME')
        local start = tonumber(t[1]) * 1000000 + tonumber(t[2])
        repeat
            t = redis.call('TIME')
        until tonumber(t[1]) * 1000000 + tonumber(t[2]) - start >= tonumber(ARGV[1]) * 1000
        return 1
        """

    @Test("a chat request whose reply is lost after the script ran is answered unavailable; the retry returns that chat")
    func retryAfterLostReply() async throws {
        try await TestRedis.withPrivateServer { server in
            let patient = RedisConfiguration(
                port: server.port, clientName: "usher-test", commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds
            )
            var hasty = patient
            hasty.commandTimeoutMilliseconds = 200
            try await TestRedis.withClient(patient, scripts: Broker.scripts) { setup in
                try await TestRedis.withClient(hasty, scripts: Broker.scripts) { client in
                    let admin = Broker(redis: setup)
                    let broker = Broker(redis: client)
                    let site = "lost-reply"
                    _ = try await admin.putSite(site, caller: .admin, update: SiteSettingsUpdate())
                    _ = try await admin.presence(
                        site: site, caller: .admin, agent: "a1",
                        update: PresenceUpdate(status: .available, maxChats: 3, queues: ["default"], session: "s1")
                    )
                    let blocker = Task { try await setup.send(["EVAL", Self.busy, "0", "1500"]) }
                    try await Task.sleep(for: .milliseconds(300))
                    let request = ChatRequest(visitor: "v1", queue: "default", source: .reactive)
                    await #expect(throws: CoreError.self) {
                        _ = try await broker.requestChat(site: site, caller: .admin, request: request)
                    }
                    _ = try await blocker.value
                    try await TestRedis.eventually("the client is connected again", seconds: TestRedis.readySeconds) { client.isReady }
                    // The first request ran once Redis was free again: the retry gets that chat, not a second.
                    let retry = try await broker.requestChat(site: site, caller: .admin, request: request)
                    #expect(retry.existing)
                    let capacity = try await admin.capacity(site: site, caller: .admin)
                    #expect(capacity.site.slots.chats == 1)
                }
            }
        }
    }
}
