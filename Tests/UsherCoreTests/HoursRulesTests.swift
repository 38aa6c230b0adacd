import Foundation
import RedisClient
import Testing

@testable import UsherCore

@Suite("business hours in decisions")
struct HoursRulesTests {
    /// Open every day all day in UTC, except today and tomorrow (closed), so the test is closed now even across
    /// midnight, and opens at the start of the day after tomorrow. The queue `night` keeps its own, always-open hours.
    private static func closedUntilDayAfterTomorrow() -> (hours: BusinessHours, opensAt: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: Date())
        func day(_ offset: Int) -> Date { calendar.date(byAdding: .day, value: offset, to: today)! }
        func text(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        let allDay = Dictionary(uniqueKeysWithValues: BusinessHours.weekdays.map { ($0, [BusinessHours.Interval(open: "00:00", close: "24:00")]) })
        let hours = BusinessHours(
            timeZone: "UTC", weekly: allDay,
            exceptions: [.init(date: text(day(0)), hours: []), .init(date: text(day(1)), hours: [])],
            queues: ["night": .init(weekly: allDay)]
        )
        return (hours, Int64(day(2).timeIntervalSince1970 * 1_000))
    }

    @Test("outside hours invitations are withheld as closed, with retryAfterSeconds capped, and chat requests refused with opensAt")
    func closedSite() async throws {
        try await CoreHarness.run(settings: ["closedRetryMaxSeconds": 120]) { h in
            _ = try await h.online("a1", maxChats: 2, queues: ["default", "night"])
            let (hours, opensAt) = Self.closedUntilDayAfterTomorrow()
            _ = try await h.broker.putHours(site: h.site, caller: h.admin, hours: hours)
            #expect(try await h.broker.hours(site: h.site, caller: h.admin) == hours)

            #expect(try await h.poll("v1") == .withhold(reason: .closed, retryAfterSeconds: 120))
            let refusal = await #expect(throws: CoreError.self) {
                try await h.broker.requestChat(
                    site: h.site, caller: h.admin, request: ChatRequest(visitor: "v2", queue: "default", source: .escalation, locale: "en")
                )
            }
            guard case .closed(let at, let message) = refusal else {
                Issue.record("expected closed, got \(String(describing: refusal))")
                return
            }
            #expect(at == opensAt)
            #expect(message.kind == .unavailable)
            #expect(message.text.contains("00:00"))

            // The queue with its own hours is open, and serves as usual.
            #expect(try await h.invite("v3", queue: "night") != nil)
            #expect(try await h.request("v4", queue: "night").state == .assigned)

            try await h.broker.deleteHours(site: h.site, caller: h.admin)
            #expect(try await h.invite("v1") == nil)  // the agent's two slots are taken by v3's hold and v4's chat
            #expect(try await h.poll("v1") == .withhold(reason: .noCapacity, retryAfterSeconds: SiteSettings.defaults.pollRetrySeconds))
        }
    }

    @Test("when the compiled hours run out, the next decision compiles them again and decides")
    func staleHoursRecompile() async throws {
        try await CoreHarness.run { h in
            let (hours, _) = Self.closedUntilDayAfterTomorrow()
            _ = try await h.broker.putHours(site: h.site, caller: h.admin, hours: hours)
            let settings = "usher:{\(h.site)}:settings"
            _ = try await h.broker.redis.send(["HSET", settings, "hoursUntil", "1"])
            #expect(try await h.poll("v1") == .withhold(reason: .closed, retryAfterSeconds: SiteSettings.defaults.closedRetryMaxSeconds))
            guard case .bulk(let bytes) = try await h.broker.redis.send(["HGET", settings, "hoursUntil"]),
                let horizon = Int64(String(decoding: bytes, as: UTF8.self))
            else {
                Issue.record("hoursUntil missing after recompiling")
                return
            }
            #expect(horizon > Int64(Date().timeIntervalSince1970 * 1_000) + 30 * 86_400_000)
        }
    }
}
