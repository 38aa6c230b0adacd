import Foundation
import RedisClient
import RedisTestSupport
import Testing

@testable import UsherCore

@Suite("per-minute history")
struct HistoryTests {
    @Test("steps sum counts, average gauges over samples, give the site the sum of its queues, and keep unnamed queues out of the series")
    func aggregation() throws {
        let minute: Int64 = 29_000_000
        let range = try HistoryRange(from: minute * 60_000 + 15_000, to: (minute + 3) * 60_000 + 1, stepSeconds: 120, maxPoints: 10)
        #expect(range.firstMinute == minute)
        #expect(range.endMinute == minute + 4)
        #expect(range.points == 2)
        let history = CapacityHistory(
            range: range,
            minutes: [
                minute: ["*|samples": 2, "*|slots": 6, "*|chats": 2, "sales|issued": 2, "~|withheld:no_capacity": 3,
                         "sales|withheld:cooldown": 1, "sales|ttfrMs": 30_000, "sales|ttfrN": 2, "sales|started:reactive": 1],
                minute + 1: ["*|samples": 1, "*|slots": 3, "*|chats": 1, "sales|accepted": 1],
                minute + 3: ["sales|waitMs": 9_000, "sales|waitN": 3],
                minute + 9: ["sales|issued": 100],
            ],
            bytes: 500,
            retentionSeconds: 3_600
        )
        #expect(Set(history.series.keys) == ["*", "sales"])
        let site = try #require(history.series["*"])
        #expect(site.count == 2)
        #expect(site[0].at == minute * 60_000)
        #expect(site[0].slots == 3)  // (6 + 3) / 3 samples
        #expect(site[0].chatting == 1)
        #expect(site[0].issued == 2)
        #expect(site[0].accepted == 1)
        #expect(site[0].withheld == 4)
        #expect(site[0].withheldBy == ["no_capacity": 3, "cooldown": 1])
        #expect(site[0].started == ["reactive": 1])
        #expect(site[0].timeToFirstResponseSeconds == 15)
        #expect(site[1].slots == nil)  // no samples in the step
        #expect(site[1].waits == 3)
        #expect(site[1].waitSeconds == 3)
        let sales = try #require(history.series["sales"])
        #expect(sales[0].withheld == 1)
        #expect(sales[0].slots == nil)
        #expect(history.storedMinutes == 4)
    }

    @Test("a period is refused when its step is not whole minutes, it runs backwards, or it holds too many points")
    func refusals() {
        #expect(throws: CoreError.invalid(field: "step", message: "step must be a whole number of minutes (60, 300, 3600, ...)")) {
            try HistoryRange(from: 0, to: 60_000, stepSeconds: 90, maxPoints: 10)
        }
        #expect(throws: CoreError.invalid(field: "from", message: "from must be before to")) {
            try HistoryRange(from: 60_000, to: 60_000, stepSeconds: 60, maxPoints: 10)
        }
        #expect {
            try HistoryRange(from: 0, to: 11 * 60_000, stepSeconds: 60, maxPoints: 10)
        } throws: { error in
            guard case .invalid(let field, let message) = error as? CoreError else { return false }
            return field == "step" && message.hasPrefix("11 points asked for, at most 10")
        }
        #expect((try? HistoryRange(from: 0, to: 10 * 60_000, stepSeconds: 60, maxPoints: 10)) != nil)
    }

    @Test("each minute's hash expires the retention after its minute, and a retention of 0 writes none")
    func retention() async throws {
        // A private server: the shared one has other tests' applications sampling every site with their own
        // retention, and whichever instance first writes a field of a minute sets its expiry.
        try await TestRedis.withPrivateServer { server in
            try await TestRedis.withClient(RedisConfiguration(port: server.port), scripts: Broker.scripts) { client in
                for retention in [3_600, 0] {
                    let broker = Broker(redis: client, configuration: BrokerConfiguration(historyRetentionSeconds: retention))
                    let site = "h-" + UUID().uuidString.prefix(12).lowercased()
                    _ = try await broker.putSite(site, update: SiteSettingsUpdate())
                    _ = try await broker.presence(
                        site: site, caller: .admin, agent: "a1",
                        update: PresenceUpdate(status: .available, maxChats: 1, queues: ["default"], session: "s")
                    )
                    _ = try await broker.poll(site: site, caller: .admin, visitor: "v1", queue: "default")
                    _ = try await broker.sample(site: site, leaseMilliseconds: 1_000)
                    let keys = try await client.send(["KEYS", "usher:{\(site)}:m:*"])
                    guard case .array(let names) = keys else { Issue.record("KEYS answered \(keys)"); continue }
                    if retention == 0 {
                        #expect(names.isEmpty)
                        continue
                    }
                    #expect(!names.isEmpty)
                    for name in names.compactMap(\.string) {
                        let ttl = try await client.send(["PTTL", name])
                        guard case .integer(let milliseconds) = ttl else { Issue.record("PTTL answered \(ttl)"); continue }
                        #expect(milliseconds > 3_600_000 && milliseconds <= 3_660_000)
                    }
                }
            }
        }
    }
}
