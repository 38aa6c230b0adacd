import Foundation
import RedisClient
import RedisTestSupport
import Synchronization
import Testing

@testable import UsherCore

/// Polls of one site and token that arrive while a call of theirs is with Redis go together in the next call.
@Suite("polls decided together")
struct PollBatchTests {
    /// A gate the first call waits at, so that the test decides what arrives meanwhile.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (self.stream, self.continuation) = AsyncStream.makeStream()
        }

        func open() { self.continuation.finish() }
        func wait() async {
            for await _ in self.stream {}
        }
    }

    /// A `decide` that records each call's items and answers each item times ten; a call `held` picks waits at the
    /// gate until the test opens it.
    final class Calls: Sendable {
        let gate = Gate()
        private let made = Mutex<[[Int]]>([])
        private let held: @Sendable ([Int]) -> Bool

        init(holding held: @escaping @Sendable ([Int]) -> Bool) {
            self.held = held
        }

        var all: [[Int]] { self.made.withLock { $0 } }

        var decide: @Sendable ([Int]) async -> [Result<Int, CoreError>] {
            { items in
                self.made.withLock { $0.append(items) }
                if self.held(items) { await self.gate.wait() }
                return items.map { .success($0 * 10) }
            }
        }
    }

    @Test("items arriving while a call is in flight go in the next calls, in their order, at most the limit a call")
    func gathering() async throws {
        let batcher = Batcher<Int, Int>(maxItems: 3, maxInFlight: 1, maxWaiting: 100)
        let calls = Calls { $0 == [0] }
        let decide = calls.decide
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await batcher.submit(0, key: "k", decide: decide).get()) }
            try await TestRedis.eventually("the first call runs") { calls.all.count == 1 }
            for item in 1...7 {
                group.addTask { (item, try await batcher.submit(item, key: "k", decide: decide).get()) }
                // One at a time, so that they wait in this order.
                try await TestRedis.eventually("item \(item) waits") { batcher.waiting("k") == item }
            }
            // Another key does not wait for this one's call.
            #expect(try await batcher.submit(99, key: "other", decide: decide).get() == 990)
            calls.gate.open()
            var answers: [Int: Int] = [:]
            for try await (item, answer) in group { answers[item] = answer }
            #expect(answers == Dictionary(uniqueKeysWithValues: (0...7).map { ($0, $0 * 10) }))
        }
        #expect(calls.all == [[0], [99], [1, 2, 3], [4, 5, 6], [7]])
        #expect(batcher.waiting("k") == 0)
    }

    @Test("with room for two calls in flight the second item goes at once, and only the third waits")
    func twoInFlight() async throws {
        let batcher = Batcher<Int, Int>(maxItems: 3, maxInFlight: 2, maxWaiting: 100)
        let calls = Calls { $0.count == 1 }
        let decide = calls.decide
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for item in 0...1 {
                group.addTask { (item, try await batcher.submit(item, key: "k", decide: decide).get()) }
                try await TestRedis.eventually("call \(item) runs") { calls.all.count == item + 1 }
            }
            for item in 2...4 {
                group.addTask { (item, try await batcher.submit(item, key: "k", decide: decide).get()) }
                try await TestRedis.eventually("item \(item) waits") { batcher.waiting("k") == item - 1 }
            }
            calls.gate.open()
            var answers: [Int: Int] = [:]
            for try await (item, answer) in group { answers[item] = answer }
            #expect(answers == Dictionary(uniqueKeysWithValues: (0...4).map { ($0, $0 * 10) }))
        }
        #expect(calls.all == [[0], [1], [2, 3, 4]])
    }

    @Test("past the items a key may have waiting, an item is refused at once and the waiting ones are still answered")
    func waitingBound() async throws {
        let batcher = Batcher<Int, Int>(maxItems: 8, maxInFlight: 1, maxWaiting: 2)
        let calls = Calls { $0 == [0] }
        let decide = calls.decide
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await batcher.submit(0, key: "k", decide: decide).get()) }
            try await TestRedis.eventually("the first call runs") { calls.all.count == 1 }
            for item in 1...2 {
                group.addTask { (item, try await batcher.submit(item, key: "k", decide: decide).get()) }
                try await TestRedis.eventually("item \(item) waits") { batcher.waiting("k") == item }
            }
            // The lane is full: the next item gets its refusal without waiting for the call in flight to end.
            let refused = Mutex<Result<Int, CoreError>?>(nil)
            let fourth = Task {
                let outcome = await batcher.submit(3, key: "k", decide: decide)
                refused.withLock { $0 = outcome }
            }
            // Were it to wait, it would wait for the gate: then this fails instead of hanging.
            try await TestRedis.eventually("the fourth item is answered while the call is in flight") { refused.withLock { $0 } != nil }
            #expect(throws: CoreError.overloaded("too many polls of this site and token wait for Redis")) { try refused.withLock { $0 }?.get() }
            #expect(batcher.waiting("k") == 2)
            calls.gate.open()
            await fourth.value
            var answers: [Int: Int] = [:]
            for try await (item, answer) in group { answers[item] = answer }
            #expect(answers == [0: 0, 1: 10, 2: 20])
        }
        #expect(calls.all == [[0], [1, 2]])
        // With its call ended the key has room again.
        #expect(try await batcher.submit(4, key: "k", decide: decide).get() == 40)
    }

    @Test("a poll shed for a full lane is withheld as unavailable at once, and Redis is not reported unreachable for it")
    func shedPoll() async throws {
        try await CoreHarness.run(configuration: BrokerConfiguration(pollCallsInFlight: 1, pollWaitingMax: 0), privateServer: true) { h in
            _ = try await h.online("a1", maxChats: 1)
            let reported = Mutex<[String]>([])
            let broker = h.broker
            let site = h.site
            let poll: @Sendable (String) async throws -> InvitationDecision = { visitor in
                try await broker.poll(InvitationPoll(visitor: visitor), site: site, caller: .admin, unavailableRetrySeconds: 5) { detail in
                    reported.withLock { $0.append(detail) }
                }
            }
            // Scripts wait while Redis pauses writes, so the first poll's call stays in flight until it resumes.
            try await h.raw("CLIENT", "PAUSE", "20000", "WRITE")
            let first = Task { try await poll("v1") }
            try await TestRedis.eventually("the first poll's call is in flight") { h.redis.inFlight == 1 }
            #expect(try await poll("v2") == .withhold(reason: .unavailable, retryAfterSeconds: 5))
            try await h.raw("CLIENT", "UNPAUSE")
            let decided = try await first.value
            #expect(decided != .withhold(reason: .unavailable, retryAfterSeconds: 5), "the first poll was decided: \(decided)")
            #expect(reported.withLock { $0 }.isEmpty, "shedding is not Redis being unreachable")
        }
    }

    @Test("a call's failure is each of its items' outcome, and a call that miscounts fails closed")
    func failures() async throws {
        let batcher = Batcher<Int, Int>(maxItems: 8, maxInFlight: 1, maxWaiting: 100)
        let failed = await batcher.submit(1, key: "k") { items in items.map { _ in .failure(.forbidden) } }
        #expect(throws: CoreError.forbidden) { try failed.get() }
        let miscounted = await batcher.submit(1, key: "k") { _ in [] }
        #expect(throws: CoreError.unavailable("0 outcomes for 1 items")) { try miscounted.get() }
    }

    /// One call of invitation.lua with these polls, as `caller`.
    static func decide(
        _ h: CoreHarness, _ polls: [InvitationArguments.Poll], caller: Caller
    ) async throws -> [Result<InvitationDecision, CoreError>] {
        let prelude = PreludeArguments(caller: caller, roles: [.website], agent: "", limits: PreludeArguments.Limits(BrokerConfiguration()))
        let arguments = InvitationArguments(seed: Broker.randomHex(bytes: 16), polls: polls)
        let reply = try await h.broker.evaluate(
            .invitation, keys: [SiteKeys(site: h.site).settings], arguments: prelude.rendered(followedBy: arguments.rendered)
        )
        return try PollOutcome.outcomes(reply)
    }

    static func poll(_ visitor: String, queue: String = "default", address: String = "192.0.2.1") -> InvitationArguments.Poll {
        InvitationArguments.Poll(visitor: visitor, queue: queue, locale: nil, address: address)
    }

    @Test("a reply line reads as its decision or refusal; a line of any other shape is none")
    func lines() throws {
        let hold = InvitationHold(id: "0a1b", queue: "q1", expiresAt: 1_795_424_400_000)
        #expect(try PollOutcome.outcome("invite 0a1b q1 1795424400000")?.get() == .invite(hold))
        #expect(try PollOutcome.outcome("withhold cooldown 1001")?.get() == .withhold(reason: .cooldown, retryAfterSeconds: 2))
        #expect(try PollOutcome.outcome("withhold waiting 0")?.get() == .withhold(reason: .waiting, retryAfterSeconds: 1))
        #expect(throws: CoreError.rateLimited(retryAfterSeconds: 3)) { try PollOutcome.outcome("refused rate_limited 2500")?.get() }
        #expect(throws: CoreError.hoursStale) { try PollOutcome.outcome("refused hours_stale")?.get() }
        for line in ["", "invite", "invite a q", "invite a q soon", "withhold sleepy 10", "withhold waiting", "refused", "maybe a b"] {
            #expect(PollOutcome.outcome(line) == nil, "\(line)")
        }
        // A line that reads as nothing fails its own poll closed, not the others.
        let outcomes = try PollOutcome.outcomes(.array([.integer(1), .bulk(Array("withhold waiting 0".utf8))]))
        #expect(throws: CoreError.unavailable("invitation returned the line integer(1)")) { try outcomes[0].get() }
        #expect(try outcomes[1].get() == .withhold(reason: .waiting, retryAfterSeconds: 1))
        #expect(throws: CoreError.unavailable("invitation returned integer(1)")) { try PollOutcome.outcomes(.integer(1)) }
    }

    @Test("a held invitation missing a field is no hold: its visitor's poll is decided afresh and the others stand")
    func brokenHold() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2)
            let first = try await Self.decide(h, [Self.poll("v1")], caller: h.admin)
            guard case .success(.invite(let hold)) = first[0] else {
                Issue.record("v1 is not invited: \(first)")
                return
            }
            for field in ["queue", "expiresAt"] {
                let saved = try await h.raw("HGET", h.key("inv:" + hold.id), field)
                guard case .bulk(let value) = saved else {
                    Issue.record("the hold has no \(field): \(saved)")
                    return
                }
                try await h.raw("HDEL", h.key("inv:" + hold.id), field)
                let results = try await Self.decide(h, [Self.poll("v1"), Self.poll("v2")], caller: h.admin)
                #expect(try results[0].get() != .invite(hold), "without \(field)")
                #expect(throws: Never.self) { try results[1].get() }
                _ = try await h.raw("HSET", h.key("inv:" + hold.id), field, String(decoding: value, as: UTF8.self))
            }
        }
    }

    @Test("in one call each poll is decided after the ones before it: one slot each, the same invitation again, a refusal alone")
    func inOrder() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 2)
            let polls = ["v1", "v2", "v1", "v3"].map { Self.poll($0) } + [Self.poll("v4", queue: "nowhere"), Self.poll("v5")]
            let results = try await Self.decide(h, polls, caller: h.admin)
            guard case .success(.invite(let first)) = results[0], case .success(.invite(let second)) = results[1] else {
                Issue.record("the first two polls are not invited: \(results)")
                return
            }
            #expect(first.id != second.id)
            #expect(first.id.count == 24 && second.id.count == 24)
            #expect(try results[2].get() == .invite(first))
            #expect(try results[3].get() == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(throws: CoreError.invalid(field: "queue", message: "no agent serves that queue and the site names no such queue")) {
                try results[4].get()
            }
            #expect(try results[5].get() == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            let capacity = try await h.capacity()
            #expect(capacity.site.slots == .init(total: 2, chats: 0, held: 2, free: 0))
            #expect(capacity.counter("issued") == 2)
            #expect(capacity.counter("withheld") == 2)
            // Counted once a call: by reason, and per queue.
            #expect(capacity.counter("withheld:no_capacity") == 2)
            let sample = try await h.broker.sample(site: h.site, leaseMilliseconds: 0)
            #expect(sample.queueCounters["default"]?["withheld:no_capacity"] == 2)
            // Each issued id names its own record, for its own visitor.
            _ = try await h.accept(first, visitor: "v1")
            _ = try await h.accept(second, visitor: "v2")
        }
    }

    @Test("in one call each poll counts against its own address's rate limit")
    func perAddress() async throws {
        try await CoreHarness.run(settings: ["addressRequestsPerMinute": 60, "addressBurstRequests": 2, "siteRequestsPerSecond": 0]) { h in
            let website = Caller.bearer(try await h.websiteToken(), address: "203.0.113.9")
            let polls = [
                Self.poll("v1", address: "192.0.2.1"), Self.poll("v2", address: "192.0.2.1"), Self.poll("v3", address: "192.0.2.2"),
                Self.poll("v4", address: "192.0.2.1"),
            ]
            let results = try await Self.decide(h, polls, caller: website)
            #expect(try results[0].get() == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(try results[1].get() == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(try results[2].get() == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(throws: CoreError.rateLimited(retryAfterSeconds: 1)) { try results[3].get() }
            // The caller's own address was never charged: each poll stood for its own.
            let third = try await Self.decide(h, [Self.poll("v5", address: "203.0.113.9")], caller: website)
            #expect(try third[0].get() == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
            #expect(try await h.capacity().counter("rateLimited") == 1)
        }
    }

    @Test("a token refused refuses every poll of its call")
    func refusedToken() async throws {
        try await CoreHarness.run { h in
            await #expect(throws: CoreError.forbidden) {
                _ = try await Self.decide(h, [Self.poll("v1"), Self.poll("v2")], caller: .bearer("usr_nobody"))
            }
        }
    }

    @Test("concurrent polls of one token take fewer script calls than polls, and are decided as if one by one")
    func concurrentPolls() async throws {
        try await TestRedis.withPrivateServer { server in
            let configuration = RedisConfiguration(port: server.port, commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds)
            try await TestRedis.withClient(configuration, scripts: Broker.scripts) { redis in
                let h = CoreHarness(broker: Broker(redis: redis), redis: redis, site: "b-" + UUID().uuidString.prefix(12).lowercased())
                _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(values: [:], reserve: nil))
                _ = try await h.online("a1", maxChats: 3)
                let holds = try await (1...3).asyncMap { try #require(try await h.invite("held\($0)")) }
                let before = try await TestRedis.scriptCalls(redis)
                let polls = 60
                let decisions = try await withThrowingTaskGroup(of: (String, InvitationDecision).self) { group in
                    for index in 0..<polls {
                        // The holders poll again among the new visitors.
                        let visitor = index % 20 == 0 ? "held\(index / 20 + 1)" : "new\(index)"
                        group.addTask { (visitor, try await h.poll(visitor)) }
                    }
                    return try await group.reduce(into: [(String, InvitationDecision)]()) { $0.append($1) }
                }
                let calls = try await TestRedis.scriptCalls(redis) - before
                #expect(calls < polls / 2, "\(calls) script calls for \(polls) polls")
                for (visitor, decision) in decisions {
                    if visitor.hasPrefix("held") {
                        #expect(decision == .invite(holds[Int(visitor.dropFirst(4))! - 1]))
                    } else {
                        #expect(decision == .withhold(reason: .noCapacity, retryAfterSeconds: 10))
                    }
                }
                let capacity = try await h.capacity()
                #expect(capacity.site.slots == .init(total: 3, chats: 0, held: 3, free: 0))
                #expect(capacity.counter("withheld") == polls - 3)
            }
        }
    }
}

extension ClosedRange where Bound == Int {
    /// The values of `transform` for each, one after another.
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for value in self { values.append(try await transform(value)) }
        return values
    }
}
