import Foundation
import NIOPosix
import RedisTestSupport
import Testing

@testable import RedisClient

@Suite("hash slots")
struct HashSlotTests {
    @Test("a key's slot is the CRC16 of its hash tag, or of the whole key when it has none, as Redis Cluster has it")
    func slots() {
        #expect(HashSlot.of("123456789") == 12_739)
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("user1000"))
        // An empty tag is no tag; only the first `{` opens one, and the first `}` after it closes it.
        #expect(HashSlot.of("foo{}{bar}") != HashSlot.of("bar"))
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        #expect(HashSlot.of("usher:{shop}:settings") == HashSlot.of("usher:{shop}:agent:a1"))
    }

    @Test("a command goes by its keys: a script's declared ones, every key of a multi-key command, none for the server's")
    func routes() throws {
        let slot = HashSlot.of("{s}")
        #expect(try HashSlot.route(["EVALSHA", "abc", "2", "{s}:a", "{s}:b", "not-a-key"]) == slot)
        #expect(try HashSlot.route(["EVALSHA", "abc", "0", "x"]) == nil)
        #expect(try HashSlot.route(["MEMORY", "USAGE", "{s}:m"]) == slot)
        #expect(try HashSlot.route(["HGETALL", "{s}:m"]) == slot)
        #expect(try HashSlot.route(["PING"]) == nil)
        #expect(try HashSlot.route(["TIME"]) == nil)
        #expect(try HashSlot.route(["MGET", "{s}:a", "{s}:b"]) == slot)
        #expect(throws: RedisError.crossSlot("DEL")) { try HashSlot.route(["DEL", "{s}:a", "{t}:a"]) }
        #expect(throws: RedisError.crossSlot("EVALSHA")) { try HashSlot.route(["EVALSHA", "abc", "2", "{s}:a", "{t}:b"]) }
    }
}

@Suite("a node's pool")
struct NodePoolTests {
    @Test("a pool that stops takes nothing more, answers what it was sent, then closes its connections")
    func stopDrains() async throws {
        try await TestRedis.withPrivateServer { server in
            let configuration = RedisConfiguration(port: server.port, poolSize: 1, commandTimeoutMilliseconds: 10_000)
            let pool = NodePool(
                node: SlotMap.Node(host: "127.0.0.1", port: server.port), configuration: configuration, scripts: [], logger: TestRedis.logger,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, metrics: RedisMetrics(names: nil)
            ) { _ in }
            let running = Task { await pool.run() }
            try await TestRedis.eventually("the pool connects") { pool.isUp }
            let connection = try #require(pool.leastBusy())
            // Answered (empty) after a second: in flight when the pool stops.
            async let blocked = connection.sendRaw(["BLPOP", TestRedis.prefix() + "nothing", "1"])
            try await TestRedis.eventually("BLPOP is in flight") { connection.inFlight == 1 }
            pool.stop()
            #expect(pool.leastBusy() == nil)
            #expect(try await blocked.isNull)
            try await TestRedis.eventually("the connection closes") { !connection.isActive }
            await running.value
        }
    }
}

/// The client against a real cluster of three primaries on loopback, its own.
@Suite("Redis client against a real cluster")
struct RedisClusterTests {
    static func configuration(_ seeds: [String]) -> RedisConfiguration {
        RedisConfiguration(clientName: "usher-test", commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds, clusterSeeds: seeds)
    }

    /// A connection of the test's own to one node.
    static func node(_ address: String) async throws -> RedisConnection {
        let node = try #require(SlotMap.Node(address))
        return try await RedisConnection.connect(host: node.host, port: node.port, connectTimeout: .seconds(5), commandTimeout: .seconds(5))
    }

    /// Keys of `count` different tags, each with the slot and the primary that serves it, by `CLUSTER SLOTS`.
    static func owners(_ seeds: [String]) async throws -> SlotMap {
        let connection = try await Self.node(seeds[0])
        defer { Task { await connection.close() } }
        return try SlotMap(slots: try await connection.send(["CLUSTER", "SLOTS"]), asked: try #require(SlotMap.Node(seeds[0])))
    }

    @Test("keys go to the primary of their slot, scripts run on every primary, the slots agree with the server's")
    func routing() async throws {
        try await TestRedis.withCluster { seeds in
            let script = RedisScript(name: "echo", source: "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])")
            try await TestRedis.withClient(Self.configuration(seeds), scripts: [script]) { client in
                #expect(Set(client.clusterPrimaries) == Set(seeds))
                let map = try await Self.owners(seeds)
                var connections: [String: RedisConnection] = [:]
                for seed in seeds { connections[seed] = try await Self.node(seed) }
                var used = Set<String>()
                for index in 0..<60 {
                    let key = "usher:{site-\(index)}:settings"
                    let ownKeySlot = try await connections[seeds[0]]!.send(["CLUSTER", "KEYSLOT", key]).int
                    #expect(ownKeySlot == HashSlot.of(key))
                    #expect(try await client.evalScript(script, keys: [key], arguments: ["v\(index)"]).string == "v\(index)")
                    let owner = try #require(map.node(for: HashSlot.of(key))).description
                    used.insert(owner)
                    // Only the owner holds it: asked directly, the others redirect.
                    #expect(try await connections[owner]!.send(["GET", key]).string == "v\(index)")
                    #expect(try await client.send(["GET", key]).string == "v\(index)")
                    #expect(
                        try await client.pipeline([["HSET", "usher:{site-\(index)}:h", "f", "1"], ["HGET", "usher:{site-\(index)}:h", "f"]])[1].get()
                            .string == "1")
                }
                #expect(used == Set(seeds), "60 sites spread over all three primaries")
                #expect(try await client.send(["PING"]).string == "PONG")
                await #expect(throws: RedisError.crossSlot("a pipeline")) {
                    _ = try await client.pipeline([["GET", "{a}x"], ["GET", "{b}x"]])
                }
                for connection in connections.values { await connection.close() }
            }
        }
    }

    @Test("while a slot moves the client follows ASK to the keys already moved, and MOVED once it has")
    func slotMoves() async throws {
        try await TestRedis.withCluster { seeds in
            try await TestRedis.withClient(Self.configuration(seeds)) { client in
                let key = "usher:{moving}:settings"
                let stays = "usher:{moving}:agents"
                let slot = HashSlot.of(key)
                let map = try await Self.owners(seeds)
                let source = try #require(map.node(for: slot)).description
                let target = try #require(seeds.first { $0 != source })
                _ = try await client.send(["SET", key, "before"])
                _ = try await client.send(["SET", stays, "here"])
                var connections: [String: RedisConnection] = [:]
                var ids: [String: String] = [:]
                for seed in seeds {
                    connections[seed] = try await Self.node(seed)
                    ids[seed] = try await connections[seed]!.send(["CLUSTER", "MYID"]).string
                }
                let to = try #require(SlotMap.Node(target))
                _ = try await connections[target]!.send(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", ids[source]!])
                _ = try await connections[source]!.send(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", ids[target]!])
                _ = try await connections[source]!.send(["MIGRATE", to.host, String(to.port), "", "0", "5000", "KEYS", key])
                // Half moved: the moved key answers through ASK at the target, the other still at the source.
                #expect(try await client.send(["GET", key]).string == "before")
                #expect(try await client.send(["GET", stays]).string == "here")
                let replies = try await client.pipeline([["GET", key], ["GET", stays]])
                #expect(try replies.map { try $0.get().string } == ["before", "here"])
                _ = try await connections[source]!.send(["MIGRATE", to.host, String(to.port), "", "0", "5000", "KEYS", stays])
                for seed in seeds { _ = try await connections[seed]!.send(["CLUSTER", "SETSLOT", String(slot), "NODE", ids[target]!]) }
                // Moved: the first command learns it from MOVED, and the client's map follows.
                #expect(try await client.send(["GET", key]).string == "before")
                _ = try await client.send(["SET", key, "after"])
                #expect(try await connections[target]!.send(["GET", key]).string == "after")
                for connection in connections.values { await connection.close() }
            }
        }
    }
}
