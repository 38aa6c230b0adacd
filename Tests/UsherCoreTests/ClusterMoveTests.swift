import Foundation
import RedisClient
import RedisTestSupport
import Testing

@testable import UsherCore

/// A site whose cluster slot moves to another primary, key by key, as `redis-cli --cluster reshard` moves it.
@Suite("a site moving between cluster nodes")
struct ClusterMoveTests {
    @Test("while its slot moves a site's calls are refused as unavailable, changing nothing; once moved they decide as before")
    func moving() async throws {
        try await TestRedis.withCluster { cluster in
            let seeds = cluster.seeds
            // Few retries, so that a refusal comes soon; the default retries ride out a short move instead.
            let configuration = RedisConfiguration(
                clientName: "usher-test", commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds, clusterSeeds: seeds, maxRedirects: 2
            )
            try await TestRedis.withClient(configuration, scripts: Broker.scripts) { client in
                let site = "m-" + UUID().uuidString.prefix(12).lowercased()
                let h = CoreHarness(broker: Broker(redis: client), redis: client, site: site)
                // One address's limit, with an interval long enough that its key outlives the test.
                let limits = ["addressRequestsPerMinute": 1, "addressBurstRequests": 100, "siteRequestsPerSecond": 0]
                _ = try await h.broker.putSite(site, caller: .admin, update: SiteSettingsUpdate(values: limits))
                _ = try await h.online("a1", maxChats: 3)
                let first = try #require(try await h.invite("v1"))
                // A website's poll, so that its rate limits' keys exist: a poll that got as far as updating them
                // before it met a key already moved would leave them changed.
                let website = Caller.bearer(try await h.websiteToken(), address: "192.0.2.7")
                _ = try await h.broker.poll(site: site, caller: website, visitor: "v0")
                let slot = HashSlot.of(SiteKeys(site: site).settings)
                let nodes = try await ClusterNodes(seeds)
                let source = try await nodes.holder(of: slot)
                let target = try #require(seeds.first { $0 != source })
                func migrate(_ keys: [String]) async throws { try await nodes.migrate(keys, from: source, to: target) }
                func refused(_ what: String) async throws {
                    let before = try await nodes.snapshot(source, slot: slot)
                    await #expect(throws: CoreError.self, "\(what): a poll") {
                        _ = try await h.broker.poll(site: site, caller: website, visitor: "v2")
                    }
                    await #expect(throws: CoreError.self, "\(what): a heartbeat") { _ = try await h.online("a1", maxChats: 3) }
                    #expect(try await nodes.snapshot(source, slot: slot) == before, "\(what): nothing changed")
                }
                try await nodes.beginMove(slot, from: source, to: target)
                try await refused("before any key moved")
                try await migrate([SiteKeys(site: site).key(.agent) + "a1"])
                try await refused("with the agent moved")
                try await migrate([SiteKeys(site: site).settings])
                try await refused("with the settings moved too")
                let rest = try await nodes.send(source, ["CLUSTER", "GETKEYSINSLOT", String(slot), "10000"]).array?.compactMap(\.string) ?? []
                try await migrate(rest)
                try await nodes.endMove(slot, to: target)
                // Moved whole: the holds are there, the agent's third slot is free, and nothing drifted.
                #expect(try await h.poll("v1") == .invite(first))
                #expect(try await h.invite("v2") != nil)
                #expect(try await nodes.holder(of: slot) == target)
                let report = try await h.drift()
                #expect(report.drift == 0, "\(report.differences)")
                #expect(report.violations.isEmpty)
                await nodes.close()
            }
        }
    }
}
