import Foundation
import RedisClient
import RedisTestSupport
import Synchronization
import Testing
import UsherCore

@Suite("what the core guards itself, whoever calls it")
struct CoreGuardTests {
    @Test("with the store unreachable a poll is withheld as unavailable, and told why; a bad poll is still refused")
    func unreachable() async throws {
        // Nothing listens on port 1 on loopback.
        try await TestRedis.withClient(RedisConfiguration(port: 1, connectTimeoutMilliseconds: 200), waitUntilReady: false) { redis in
            let broker = Broker(redis: redis)
            let told = Mutex<[String]>([])
            let decision = try await broker.poll(
                InvitationPoll(visitor: "v1"), site: "shop", caller: .bearer("t", address: "192.0.2.1"), unavailableRetrySeconds: 7
            ) { detail in told.withLock { $0.append(detail) } }
            #expect(decision == .withhold(reason: .unavailable, retryAfterSeconds: 7))
            #expect(told.withLock { $0.count } == 1)
            await #expect(throws: CoreError.self) {
                try await broker.poll(
                    InvitationPoll(visitor: "not a visitor id"), site: "shop", caller: .bearer("t"), unavailableRetrySeconds: 7
                ) { _ in Issue.record("a bad poll is not an unreachable store") }
            }
        }
    }

    @Test("a poll that names no queue polls the default queue")
    func defaultQueue() {
        #expect(InvitationPoll(visitor: "v1").queue == Broker.defaultQueue)
        #expect(InvitationPoll(visitor: "v1", queue: "sales").queue == "sales")
    }

    @Test("only the root admin creates or configures a site; anyone else changes nothing")
    func adminOnly() async throws {
        try await CoreHarness.run { h in
            let fresh = h.site + "-new"
            let website = Caller.bearer(try await h.websiteToken())
            for caller in [website, Caller.bearer("")] {
                await #expect(throws: CoreError.adminOnly) { try await h.broker.putSite(fresh, caller: caller, update: SiteSettingsUpdate()) }
                await #expect(throws: CoreError.adminOnly) {
                    try await h.broker.putSite(h.site, caller: caller, update: SiteSettingsUpdate(values: ["holdSeconds": 1]))
                }
            }
            await #expect(throws: CoreError.noSite) { try await h.broker.site(fresh, caller: .admin) }
            #expect(try await h.broker.site(h.site, caller: .admin).holdSeconds != 1)
        }
    }
}
