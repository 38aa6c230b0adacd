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

    /// Which primary serves each slot, as `seed` reports it (`CLUSTER SLOTS`).
    static func owners(_ nodes: ClusterNodes, from seed: String) async throws -> SlotMap {
        try SlotMap(slots: try await nodes.send(seed, ["CLUSTER", "SLOTS"]), asked: try #require(SlotMap.Node(seed)))
    }

    /// A slot half moved: two keys of the tag set through `client` with their values, the slot migrating from the
    /// primary that holds them to `target` (another of `nodes` by default), and the first key moved.
    struct HalfMove {
        let moved: String
        let stays: String
        let slot: Int
        let source: String
        let target: String

        init(tag: String, values: (String, String), client: RedisClient, nodes: ClusterNodes, to target: String? = nil) async throws {
            self.moved = "usher:{\(tag)}:settings"
            self.stays = "usher:{\(tag)}:agents"
            self.slot = HashSlot.of(self.moved)
            _ = try await client.send(["SET", self.moved, values.0])
            _ = try await client.send(["SET", self.stays, values.1])
            let source = try await nodes.holder(of: self.slot)
            self.source = source
            self.target = try #require(target ?? nodes.connections.keys.sorted().first { $0 != source })
            try await nodes.beginMove(self.slot, from: self.source, to: self.target)
            try await nodes.migrate([self.moved], from: self.source, to: self.target)
        }

        /// Moves the other key and ends the move.
        func finish(_ nodes: ClusterNodes) async throws {
            try await nodes.migrate([self.stays], from: self.source, to: self.target)
            try await nodes.endMove(self.slot, to: self.target)
        }
    }

    @Test("keys go to the primary of their slot, scripts run on every primary, the slots agree with the server's")
    func routing() async throws {
        try await TestRedis.withCluster { cluster in
            let seeds = cluster.seeds
            let script = RedisScript(name: "echo", source: "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])")
            try await TestRedis.withClient(Self.configuration(seeds), scripts: [script]) { client in
                #expect(Set(client.clusterPrimaries) == Set(seeds))
                let nodes = try await ClusterNodes(seeds)
                let map = try await Self.owners(nodes, from: seeds[0])
                var used = Set<String>()
                for index in 0..<60 {
                    let key = "usher:{site-\(index)}:settings"
                    let ownKeySlot = try await nodes.send(seeds[0], ["CLUSTER", "KEYSLOT", key]).int
                    #expect(ownKeySlot == HashSlot.of(key))
                    #expect(try await client.evalScript(script, keys: [key], arguments: ["v\(index)"]).string == "v\(index)")
                    let owner = try #require(map.node(for: HashSlot.of(key))).description
                    used.insert(owner)
                    // Only the owner holds it: asked directly, the others redirect.
                    #expect(try await nodes.send(owner, ["GET", key]).string == "v\(index)")
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
                await nodes.close()
            }
        }
    }

    @Test("CLUSTER SHARDS gives the map CLUSTER SLOTS gives: on every node, after a slot moved, after a failover; never a replica")
    func shards() async throws {
        try await TestRedis.withCluster(replicas: 1) { cluster in
            let everyNode = try await ClusterNodes(cluster.seeds)
            func maps() async throws -> [SlotMap] {
                var maps: [SlotMap] = []
                for seed in cluster.seeds {
                    let shards = try SlotMap(shards: try await everyNode.send(seed, ["CLUSTER", "SHARDS"]), asked: try #require(SlotMap.Node(seed)))
                    #expect(shards == (try await Self.owners(everyNode, from: seed)), "as \(seed) tells it")
                    maps.append(shards)
                }
                return maps
            }
            let primaries = Array(cluster.seeds.prefix(3))
            for map in try await maps() {
                #expect(Set(map.primaries.map(\.description)) == Set(primaries))
                #expect(map.coversAll)
            }
            // One slot of the first primary's range moves to another: that primary's shard then has two ranges.
            let key = "usher:{shards}:settings"
            let slot = HashSlot.of(key)
            try await TestRedis.withClient(Self.configuration(primaries)) { client in _ = try await client.send(["SET", key, "1"]) }
            let nodes = try await ClusterNodes(primaries)
            let source = try await nodes.holder(of: slot)
            let target = try #require(primaries.first { $0 != source })
            try await nodes.beginMove(slot, from: source, to: target)
            try await nodes.migrate([key], from: source, to: target)
            try await nodes.endMove(slot, to: target)
            let moved = try await nodes.send(target, ["CLUSTER", "SHARDS"])
            let map = try SlotMap(shards: moved, asked: try #require(SlotMap.Node(target)))
            #expect(map.node(for: slot)?.description == target)
            #expect(map == (try await Self.owners(nodes, from: target)))
            // A primary dies and its replica takes over: the map names the replica, by either command.
            try cluster.kill(source)
            var after = SlotMap()
            try await TestRedis.eventually("a replica takes over from \(source)", seconds: TestRedis.readySeconds) {
                guard let reply = try? await nodes.send(target, ["CLUSTER", "SHARDS"]), let asked = SlotMap.Node(target),
                    let read = try? SlotMap(shards: reply, asked: asked)
                else { return false }
                after = read
                return read.coversAll && !read.owners.map(\.description).contains(source)
            }
            #expect(after == (try await Self.owners(nodes, from: target)))
            await nodes.close()
            await everyNode.close()
        }
    }

    @Test("while a slot moves the client follows ASK to the keys already moved, and MOVED once it has")
    func slotMoves() async throws {
        try await TestRedis.withCluster { cluster in
            let seeds = cluster.seeds
            try await TestRedis.withClient(Self.configuration(seeds)) { client in
                let nodes = try await ClusterNodes(seeds)
                let move = try await HalfMove(tag: "moving", values: ("before", "here"), client: client, nodes: nodes)
                // Half moved: the moved key answers through ASK at the target, the other still at the source.
                #expect(try await client.send(["GET", move.moved]).string == "before")
                #expect(try await client.send(["GET", move.stays]).string == "here")
                let replies = try await client.pipeline([["GET", move.moved], ["GET", move.stays]])
                #expect(try replies.map { try $0.get().string } == ["before", "here"])
                try await move.finish(nodes)
                // Moved: the first command learns it from MOVED, and the client's map follows.
                #expect(try await client.send(["GET", move.moved]).string == "before")
                _ = try await client.send(["SET", move.moved, "after"])
                #expect(try await nodes.send(move.target, ["GET", move.moved]).string == "after")
                await nodes.close()
            }
        }
    }

    @Test("an ASK to a node the slot map does not have yet gets that node a pool, kept while the map lacks it")
    func nodeOutsideTheMap() async throws {
        try await TestRedis.withCluster { cluster in
            var configuration = Self.configuration(cluster.seeds)
            // Reads the map five times a second: many reads that do not list the new node pass while the test runs.
            configuration.clusterRefreshMilliseconds = 200
            try await TestRedis.withClient(configuration) { client in
                let added = try await cluster.addPrimary()
                let nodes = try await ClusterNodes(cluster.seeds + [added])
                let move = try await HalfMove(tag: "outside", values: ("moved", "here"), client: client, nodes: nodes, to: added)
                let (key, stays) = (move.moved, move.stays)
                // A primary without slots is in no map the client reads: only the ASK names it.
                #expect(!client.clusterPrimaries.contains(added))
                try await TestRedis.eventually("the moved key answers through ASK at the new node", seconds: TestRedis.readySeconds) {
                    (try? await client.send(["GET", key]).string) == "moved"
                }
                // The reads of the map meanwhile, none of which lists the node, leave its pool to the commands for it.
                let until = ContinuousClock.now + .seconds(1)
                while ContinuousClock.now < until {
                    #expect(try await client.send(["GET", key]).string == "moved")
                    #expect(try await client.send(["GET", stays]).string == "here")
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(!client.clusterPrimaries.contains(added))
                await nodes.close()
            }
        }
    }
}

/// The client's pauses between retries against a real cluster, timed (a *TimingTests suite: it runs on its own).
@Suite("Redis client against a real cluster, timed")
struct RedisClusterTimingTests {
    @Test("a pipeline whose every reply says TRYAGAIN pauses once a round, not once a reply")
    func pausePerRound() async throws {
        try await TestRedis.withCluster { cluster in
            var configuration = RedisClusterTests.configuration(cluster.seeds)
            configuration.reconnectBaseMilliseconds = 200
            configuration.reconnectMaxMilliseconds = 200
            configuration.maxRedirects = 3
            try await TestRedis.withClient(configuration) { client in
                let nodes = try await ClusterNodes(cluster.seeds)
                let move = try await RedisClusterTests.HalfMove(tag: "paused", values: ("1", "2"), client: client, nodes: nodes)
                // Half moved: a command on both keys can run nowhere, and Redis answers it TRYAGAIN.
                let commands = Array(repeating: ["MGET", move.moved, move.stays], count: 50)
                let started = ContinuousClock.now
                let replies = try await client.pipeline(commands)
                let took = ContinuousClock.now - started
                for reply in replies {
                    #expect(throws: RedisError.self) { try reply.get() }
                    if case .failure(let error) = reply { #expect(error.code == .redirects) }
                }
                // At most three pauses of at most 200 ms each; a pause per reply would be 100 or more, 10 s on average.
                #expect(took < .seconds(3), "took \(took)")
                try await move.finish(nodes)
                let after = try await client.pipeline(commands)
                #expect(try after.map { try $0.get().array?.compactMap(\.string) } == Array(repeating: ["1", "2"], count: 50))
                await nodes.close()
            }
        }
    }
}
