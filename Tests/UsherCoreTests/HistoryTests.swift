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

    @Test("the sums read straight from the replies equal a sum by name of every minute's fields, whatever the fields")
    func sumsMatchByName() throws {
        var random = SystemRandomNumberGenerator()
        let queues = ["*", "~", "sales", "support", "b|c"]
        let measures =
            HistoryMeasure.allCases.map(\.rawValue) + DecisionCount.allCases.map(\.rawValue)
            + ["withheld:no_capacity", "withheld:cooldown", "started:reactive", "started:x", "unknown", ""]
        let minute: Int64 = 29_000_000
        for _ in 0..<20 {
            let step = Int.random(in: 1...7, using: &random)
            let range = try HistoryRange(from: minute * 60_000, to: (minute + 60) * 60_000, stepSeconds: step * 60, maxPoints: 100)
            var minutes: [Int64: [String: Int64]] = [:]
            for offset in (0..<70).filter({ _ in Bool.random(using: &random) }) {
                var fields: [String: Int64] = ["nobar": 1, "|lead": 2]
                for _ in 0..<Int.random(in: 0...12, using: &random) {
                    let name = queues.randomElement(using: &random)! + "|" + measures.randomElement(using: &random)!
                    fields[name] = Int64.random(in: -5...100_000, using: &random)
                }
                minutes[minute + Int64(offset)] = fields
            }
            let history = CapacityHistory(range: range, minutes: minutes, bytes: 0, retentionSeconds: 3_600)
            #expect(history.series == Self.sumByName(range: range, minutes: minutes))
        }
    }

    @Test("a value is read as RedisValue.int reads it")
    func integers() {
        for text in [
            "0", "12", "-7", "+3", "", "-", "+", "1a", " 1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "é",
        ] {
            #expect(HistorySums.integer(.bulk(Array(text.utf8))) == RedisValue.bulk(Array(text.utf8)).int.map(Int64.init), "\(text)")
        }
    }

    /// The history as the fields' names say: per step and queue a sum per measure, the site adding up its queues'
    /// counts, then each point from the sums by name.
    static func sumByName(range: HistoryRange, minutes: [Int64: [String: Int64]]) -> [String: [CapacityHistory.Point]] {
        var sums: [String: [Int: [String: Int64]]] = ["*": [:]]
        for (minute, fields) in minutes where minute >= range.firstMinute && minute < range.endMinute {
            let step = Int((minute - range.firstMinute) / range.stepMinutes)
            for (field, value) in fields {
                let parts = field.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                let isGauge = HistoryMeasure(rawValue: parts[1])?.isGauge ?? false
                if parts[0] != "~" { sums[parts[0], default: [:]][step, default: [:]][parts[1], default: 0] += value }
                if parts[0] != "*" && !isGauge { sums["*", default: [:]][step, default: [:]][parts[1], default: 0] += value }
            }
        }
        return sums.mapValues { steps in
            (0..<range.points).map { step in
                var point = CapacityHistory.Point(at: (range.firstMinute + Int64(step) * range.stepMinutes) * 60_000)
                let sums = steps[step] ?? [:]
                func sum(_ name: String) -> Int64 { sums[name] ?? 0 }
                let samples = Double(sum("samples"))
                func mean(_ name: String) -> Double? { samples > 0 ? Double(sum(name)) / samples : nil }
                (point.agents, point.slots, point.chatting) = (mean("agents"), mean("slots"), mean("chats"))
                (point.held, point.free, point.waiting) = (mean("held"), mean("free"), mean("waiting"))
                (point.issued, point.accepted, point.declined) = (Int(sum("issued")), Int(sum("accepted")), Int(sum("declined")))
                (point.expired, point.ended, point.orphaned) = (Int(sum("expired")), Int(sum("ended")), Int(sum("orphaned")))
                (point.abandoned, point.refused) = (Int(sum("abandoned")), Int(sum("refused")))
                for (name, value) in sums {
                    if name.hasPrefix("withheld:"), name.count > 9 {
                        point.withheldBy[String(name.dropFirst(9))] = Int(value)
                        point.withheld += Int(value)
                    }
                    if name.hasPrefix("started:"), name.count > 8 { point.started[String(name.dropFirst(8))] = Int(value) }
                }
                point.firstResponses = Int(sum("ttfrN"))
                if point.firstResponses > 0 { point.timeToFirstResponseSeconds = Double(sum("ttfrMs")) / 1_000 / Double(point.firstResponses) }
                point.waits = Int(sum("waitN"))
                if point.waits > 0 { point.waitSeconds = Double(sum("waitMs")) / 1_000 / Double(point.waits) }
                return point
            }
        }
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
        try await CoreHarness.run(configuration: BrokerConfiguration(historyRetentionSeconds: 3_600), privateServer: true) { h in
            let (client, broker, site) = (h.redis, h.broker, h.site)
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

    @Test("a read takes a block where all its minutes are folded, kept, in the range and in one step; a minute elsewhere")
    func plan() throws {
        func plan(from: Int64, to: Int64, step: Int, folded: ClosedRange<Int64>?, wholeFrom: Int64 = 0) throws -> [String] {
            let range = try HistoryRange(from: from * 60_000, to: to * 60_000, stepSeconds: step * 60, maxPoints: 1_000)
            return HistoryRead.plan(range: range, from: from, to: to, folded: folded, wholeFrom: wholeFrom).map {
                $0.isBlock ? "b\($0.minute)" : "\($0.minute)"
            }
        }
        let minutes = { (range: Range<Int64>) in range.map(String.init) }
        #expect(HistoryRead.blockMinutes == 10)
        #expect(try plan(from: 120, to: 160, step: 60, folded: 100...139) == ["b120", "b130"] + minutes(140..<160))
        #expect(try plan(from: 120, to: 160, step: 60, folded: nil) == minutes(120..<160))
        // A step that splits a block reads its minutes; a period or step that starts inside one, the rest.
        #expect(try plan(from: 120, to: 150, step: 5, folded: 0...1_000) == minutes(120..<150))
        #expect(
            try plan(from: 115, to: 197, step: 60, folded: 0...1_000) == minutes(115..<120) + ["b120", "b130", "b140", "b150", "b160"]
                + minutes(170..<180) + ["b180"] + minutes(190..<197))
        // An hourly step from minute 5 past: each holds five whole blocks and two halves.
        #expect(try plan(from: 5, to: 65, step: 60, folded: 0...1_000) == minutes(5..<10) + ["b10", "b20", "b30", "b40", "b50"] + minutes(60..<65))
        // A block whose first minutes are no longer kept, or that is folded only in part, reads what is left.
        #expect(try plan(from: 120, to: 140, step: 60, folded: 0...1_000, wholeFrom: 125) == minutes(120..<130) + ["b130"])
        #expect(try plan(from: 120, to: 140, step: 60, folded: 125...1_000) == minutes(120..<130) + ["b130"])
    }

    @Test("samples fold finished minutes into blocks; a long period reads the blocks and answers as its minutes would")
    func folded() async throws {
        // A private server: other tests' samplers, with their own retention, would fold this site too.
        try await CoreHarness.run(configuration: BrokerConfiguration(historyFoldMinutes: 1_000), privateServer: true) { h in
            let (client, broker, site) = (h.redis, h.broker, h.site)
            let keys = SiteKeys(site: site)
            guard case .array(let time) = try await client.send(["TIME"]), let seconds = time.first?.string.flatMap({ Int64($0) }) else {
                Issue.record("TIME answered no seconds")
                return
            }
            // Three whole hours before the current one, with minutes of data in the first two and a half. Steps of an
            // hour from a minute that starts no block: blocks inside, minutes at the edges.
            let start = (seconds / 3_600 - 3) * 60
            var random = SystemRandomNumberGenerator()
            var minutes: [Int64: [String: Int64]] = [:]
            for minute in start..<(start + 150) where Bool.random(using: &random) {
                var fields: [String: Int64] = ["*|samples": 2, "*|slots": Int64.random(in: 0...40, using: &random)]
                for name in ["sales|issued", "sales|withheld:no_capacity", "support|accepted", "~|withheld:cooldown"]
                where Bool.random(using: &random) {
                    fields[name] = Int64.random(in: 1...1_000, using: &random)
                }
                minutes[minute] = fields
                _ = try await client.send(["HSET", keys.key(.minute) + String(minute)] + fields.flatMap { [$0.key, String($0.value)] })
            }
            // Folding began just before them; one sample folds every finished minute since.
            _ = try await client.send(["HSET", keys.key(.historyFold), "since", String(start), "through", String(start - 1)])
            _ = try await broker.sample(site: site, leaseMilliseconds: 1)
            let through = try await client.send(["HGET", keys.key(.historyFold), "through"]).string.flatMap { Int64($0) }
            // Through the last minute of the three hours at least: in the first minute of the current hour, that is
            // the last finished one.
            #expect((through ?? 0) >= start + 179)
            let counted = try await client.send(["HGET", keys.key(.block) + String(start / 10), "#"]).string.flatMap { Int($0) }
            #expect(counted == minutes.keys.filter { $0 < start + 10 }.count)
            let hourly = try HistoryRange(from: (start + 3) * 60_000, to: (start + 180) * 60_000, stepSeconds: 3_600, maxPoints: 10)
            let expected = CapacityHistory(range: hourly, minutes: minutes, bytes: 0, retentionSeconds: 0)
            let read = try await broker.history(site: site, caller: .admin, range: hourly)
            #expect(read.series == expected.series)
            #expect(read.storedMinutes == minutes.keys.filter { $0 >= start + 3 }.count)
            // It read the blocks: with the minutes they sum deleted the answer stands, while steps that split
            // blocks read those minutes, and find them gone.
            let reads = HistoryRead.plan(range: hourly, from: start + 3, to: start + 180, folded: start...(start + 180), wholeFrom: 0)
            let summed = Set(reads.filter(\.isBlock).flatMap { $0.minute..<($0.minute + HistoryRead.blockMinutes) })
            #expect(summed.count >= 150)
            _ = try await client.send(["DEL"] + summed.map { keys.key(.minute) + String($0) })
            #expect(try await broker.history(site: site, caller: .admin, range: hourly).series == expected.series)
            let fine = try HistoryRange(from: start * 60_000, to: (start + 180) * 60_000, stepSeconds: 300, maxPoints: 100)
            let left = CapacityHistory(range: fine, minutes: minutes.filter { !summed.contains($0.key) }, bytes: 0, retentionSeconds: 0)
            #expect(try await broker.history(site: site, caller: .admin, range: fine).series == left.series)
        }
    }

    @Test("a minute's field that is no count is folded as nothing, and the fold goes on")
    func foldSkipsNonCounts() async throws {
        try await CoreHarness.run(configuration: BrokerConfiguration(historyFoldMinutes: 1_000), privateServer: true) { h in
            let keys = SiteKeys(site: h.site)
            guard case .array(let time) = try await h.raw("TIME"), let seconds = time.first?.string.flatMap({ Int64($0) }) else {
                Issue.record("TIME answered no seconds")
                return
            }
            let minute = seconds / 60 - 2
            try await h.raw("HSET", keys.key(.minute) + String(minute), "*|samples", "2", "sales|issued", "not a count")
            try await h.raw("HSET", keys.key(.historyFold), "since", String(minute), "through", String(minute - 1))
            _ = try await h.broker.sample(site: h.site, leaseMilliseconds: 1)
            let block = keys.key(.block) + String(minute / Int64(HistoryRead.blockMinutes))
            #expect(try await h.raw("HGET", block, "*|samples").string == "2")
            #expect(try await h.raw("HGET", block, "sales|issued").string == "0")
            let through = try await h.raw("HGET", keys.key(.historyFold), "through").string.flatMap { Int64($0) }
            #expect((through ?? 0) >= minute + 1)
        }
    }

    @Test("each minute's hash expires the retention after its minute, and a retention of 0 writes none")
    func retention() async throws {
        // A private server: the shared one has other tests' applications sampling every site with their own
        // retention, and whichever instance first writes a field of a minute sets its expiry.
        for retention in [3_600, 0] {
            try await CoreHarness.run(configuration: BrokerConfiguration(historyRetentionSeconds: retention), privateServer: true) { h in
                let (client, broker, site) = (h.redis, h.broker, h.site)
                _ = try await broker.presence(
                    site: site, caller: .admin, agent: "a1",
                    update: PresenceUpdate(status: .available, maxChats: 1, queues: ["default"], session: "s")
                )
                _ = try await broker.poll(site: site, caller: .admin, visitor: "v1", queue: "default")
                _ = try await broker.sample(site: site, leaseMilliseconds: 1_000)
                let keys = try await client.send(["KEYS", "usher:{\(site)}:m:*"])
                guard case .array(let names) = keys else { Issue.record("KEYS answered \(keys)"); return }
                if retention == 0 {
                    #expect(names.isEmpty)
                    return
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
