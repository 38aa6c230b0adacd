import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisClient
import RedisTestSupport
import Testing
import UsherCore
@testable import UsherHTTP

/// The capacity streams of a site on one instance share one reader, whatever their number and callers.
@Suite("one capacity reader per site feeds all its streams")
struct CapacityFeedTests {
    /// An application on a private Redis (so `INFO commandstats` counts this test's scripts only) with the streams'
    /// reader and no sampler or sweeper: every script Redis runs is a stream's or the test's own.
    static func run(
        streamMaxSeconds: Int, recheckSeconds: Int,
        _ body: @Sendable (API, CapacityFeeds, RedisClient) async throws -> Void
    ) async throws {
        try await TestRedis.withPrivateServer { server in
            var configuration = API.configuration(
                redis: RedisConfiguration(port: server.port, commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds)
            )
            configuration.observation.streamIntervalMilliseconds = 100
            configuration.observation.streamMaxSeconds = streamMaxSeconds
            configuration.observation.streamRecheckSeconds = recheckSeconds
            let redis = RedisClient(configuration: configuration.redis, scripts: Broker.scripts, logger: TestRedis.logger)
            let broker = Broker(redis: redis, configuration: configuration.broker)
            let feeds = CapacityFeeds(broker: broker, intervalMilliseconds: configuration.observation.streamIntervalMilliseconds)
            let app = Application(
                router: buildRouter(configuration: configuration, broker: broker, feeds: feeds), services: [redis, feeds],
                logger: TestRedis.logger
            )
            try await app.test(.router) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
                }
                try await body(API(client: client, site: "f-" + UUID().uuidString.prefix(12).lowercased()), feeds, redis)
            }
        }
    }

    static func create(_ api: API) async throws {
        let created = try await api.call(.put, api.sitePath(), body: API.unlimited)
        guard created.status == .created else { throw SetupFailure(what: "site creation: \(created.status)") }
    }

    /// The slot totals of a stream's `capacity` events, in order.
    static func totals(_ body: String) -> [Int] {
        body.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: capacity") }.compactMap { event in
            guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                let json = try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any]
            else { return nil }
            return (json["slots"] as? [String: Any])?["total"] as? Int
        }
    }

    @Test("several streams of one site read its capacity once per interval, not once per stream; another site's stream is its own")
    func oneReaderPerSite() async throws {
        try await Self.run(streamMaxSeconds: 3, recheckSeconds: 3_600) { api, feeds, redis in
            let other = API(client: api.client, site: api.site + "-b")
            try await Self.create(api)
            try await Self.create(other)
            let ops = try await api.token(role: "ops")
            let scriptsBefore = try await TestRedis.scriptCalls(redis)
            let readsBefore = feeds.reads
            // The other site's stream first, until its reader has read: the view it starts with predates the change.
            async let otherWatched = ObservationTests.text(other.client, other.sitePath("/capacity/stream"))
            try await TestRedis.eventually("the other site was read", seconds: 10) { feeds.reads > readsBefore }
            let streams = 4
            async let watched = withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<streams {
                    group.addTask {
                        try await ObservationTests.text(api.client, api.sitePath("/capacity/stream"), token: index == 0 ? API.adminToken : ops).2
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await TestRedis.eventually("both sites have their reader", seconds: 10) { feeds.runningReaders == 2 }
            let presence = try await other.call(
                .put, other.sitePath("/agents/alice/presence"), body: ["status": "available", "maxChats": 3, "session": "s"]
            )
            #expect(presence.status == .ok)
            let bodies = try await watched
            let otherBody = try await otherWatched.2
            try await TestRedis.eventually("the readers stopped", seconds: 10) { feeds.runningReaders == 0 }
            let reads = feeds.reads - readsBefore
            // Besides the readers' reads, Redis ran one authorization per stream and the presence update: none of
            // the streams read the capacity itself.
            #expect(try await TestRedis.scriptCalls(redis) - scriptsBefore == reads + streams + 1 + 1)
            #expect(reads >= 2)
            #expect(bodies.count == streams)
            for body in bodies { #expect(Self.totals(body) == [0], "\(body)") }
            #expect(Self.totals(otherBody) == [0, 3], "\(otherBody)")
        }
    }

    @Test("when the last stream of a site closes, its reader stops and nothing reads the site")
    func lastStreamStopsReader() async throws {
        try await Self.run(streamMaxSeconds: 1, recheckSeconds: 3_600) { api, feeds, redis in
            try await Self.create(api)
            async let first = ObservationTests.text(api.client, api.sitePath("/capacity/stream"))
            async let second = ObservationTests.text(api.client, api.sitePath("/capacity/stream"))
            #expect(try await first.0 == .ok)
            #expect(try await second.0 == .ok)
            try await TestRedis.eventually("the reader stopped", seconds: 10) { feeds.runningReaders == 0 }
            let calls = try await TestRedis.scriptCalls(redis)
            let reads = feeds.reads
            // Ten intervals with no stream open: no reader reads the site, so Redis runs no script.
            try await Task.sleep(for: .seconds(1))
            #expect(try await TestRedis.scriptCalls(redis) == calls)
            #expect(feeds.reads == reads)
            // A new stream starts a new reader.
            let again = try await ObservationTests.text(api.client, api.sitePath("/capacity/stream"))
            #expect(Self.totals(again.2) == [0])
            #expect(feeds.reads > reads)
        }
    }

    @Test("a stream whose token is revoked ends with an error event within the recheck, while the site's other streams go on")
    func revokedWithinRecheck() async throws {
        try await Self.run(streamMaxSeconds: 8, recheckSeconds: 1) { api, feeds, _ in
            try await Self.create(api)
            let issued = try await api.call(.post, api.sitePath("/tokens"), body: ["role": "ops"])
            let id = try #require(issued["id"] as? String)
            let token = try #require(issued["token"] as? String)
            async let revoked = ObservationTests.text(api.client, api.sitePath("/capacity/stream"), token: token)
            async let kept = ObservationTests.text(api.client, api.sitePath("/capacity/stream"))
            try await TestRedis.eventually("the site has its reader", seconds: 10) { feeds.runningReaders == 1 }
            #expect(try await api.call(.delete, api.sitePath("/tokens/\(id)")).status == .noContent)
            let (status, _, body) = try await revoked
            #expect(status == .ok)
            #expect(body.hasPrefix("event: capacity\n"))
            // It ended on the recheck, long before its 8 s were up: nothing but the error event ends a stream early.
            let events = body.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last?.hasPrefix("event: error\ndata: {\"error\":{\"code\":\"forbidden\"") == true, "\(body)")
            #expect(feeds.runningReaders == 1)
            let other = try await kept
            #expect(other.0 == .ok)
            #expect(!other.2.contains("event: error"))
            #expect(other.2.contains(": heartbeat\n\n"))
        }
    }
}
