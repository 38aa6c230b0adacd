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
                minute: [
                    "*|samples": 2, "*|slots": 6, "*|chats": 2, "sales|issued": 2, "~|withheld:no_capacity": 3,
                    "sales|withheld:cooldown": 1, "sales|ttfrMs": 30_000, "sales|ttfrN": 2, "sales|started:reactive": 1,
                ],
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

    @Test("instants before 1970 or after 9999 and steps beyond a year are refused naming their field, never trapping")
    func boundedInstants() {
        let latest: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        let cases: [(Int64, Int64, Int, String)] = [
            (0, .max, 60, "to"), (.min, 60_000, 60, "from"), (0, .min, 60, "to"), (.min, .max, 60, "to"), (0, latest + 1, 60, "to"),
            (-1, 60_000, 60, "from"), (0, 60_000, .max, "step"), (0, 60_000, .min, "step"),
        ]
        for (from, to, step, field) in cases {
            #expect {
                try HistoryRange(from: from, to: to, stepSeconds: step, maxPoints: .max)
            } throws: { error in
                guard case .invalid(let named, _) = error as? CoreError else { return false }
                return named == field
            }
        }
        #expect((try? HistoryRange(from: latest - 60_000, to: latest, stepSeconds: 60, maxPoints: 10)) != nil)
    }

    @Test("a read asks Redis for no more minutes than the retention holds, however far past now the period reaches")
    func readStopsAtNow() async throws {
        // A private server, so the count of reads is this test's alone.
        try await TestRedis.withPrivateServer { server in
            try await TestRedis.withClient(RedisConfiguration(port: server.port), scripts: Broker.scripts) { client in
                let broker = Broker(redis: client, configuration: BrokerConfiguration(historyRetentionSeconds: 3_600))
                let site = "h-" + UUID().uuidString.prefix(12).lowercased()
                _ = try await broker.putSite(site, caller: .admin, update: SiteSettingsUpdate())
                let now = Int64(Date().timeIntervalSince1970 * 1_000)
                let range = try HistoryRange(from: now - 86_400_000, to: now + 365 * 86_400_000, stepSeconds: 366 * 86_400, maxPoints: 10)
                // The scripts' own HGETALLs count too: only the difference is the read's, and one of those is the
                // authorizing script's read of the site's settings.
                func reads() async throws -> Int {
                    let info = try await client.send(["INFO", "commandstats"]).string ?? ""
                    let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_hgetall:") } ?? ""
                    return line.split(separator: ",").first.flatMap { Int($0.split(separator: "=").last ?? "") } ?? 0
                }
                let before = try await reads()
                _ = try await broker.history(site: site, caller: .admin, range: range)
                let calls = try await reads() - before
                #expect(calls > 1 && calls <= 1 + broker.historyRetentionMinutes + 2, "\(calls) reads")
            }
        }
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
                    _ = try await broker.putSite(site, caller: .admin, update: SiteSettingsUpdate())
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
