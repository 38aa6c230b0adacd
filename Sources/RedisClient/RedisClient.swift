public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
internal import Synchronization

/// Pipelined Redis connections that keep themselves connected: to one server, or to every primary of a Redis
/// Cluster (`RedisConfiguration.clusterSeeds`).
///
/// Run it as a `Service`: each connection connects, authenticates, selects the database, names itself and loads the
/// registered scripts, then waits for its connection to drop and reconnects with jittered exponential backoff.
/// Commands go to the least busy live connection (in a cluster, of the primary that serves their keys' slot) and
/// never wait for one: with no connection up they fail at once (`notConnected`), past `maxInFlight` they are refused
/// (`overloaded`).
///
/// In a cluster the client reads the slot map from the seeds and then from the primaries (`CLUSTER SHARDS`), again
/// every `clusterRefreshMilliseconds` and soon after any `MOVED`. It follows `MOVED` (the slot's new primary) and
/// `ASK` (`ASKING`, then the command, on the node named) and retries after `TRYAGAIN`, `CLUSTERDOWN` and `LOADING`,
/// all of which mean the command did not run, at most `maxRedirects` times. A command or pipeline whose keys span
/// slots is refused before it is sent (`crossSlot`).
public final class RedisClient: Service, Sendable {
    public let configuration: RedisConfiguration
    private let scripts: [RedisScript]
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let metrics: RedisMetrics
    private let inFlightCount = Atomic<Int>(0)
    private let loaded = LoadedScripts()
    /// The one pool of a standalone server; nil in a cluster.
    private let standalone: NodePool?
    private let cluster = Mutex(ClusterState())
    private let shuttingDown = Atomic<Bool>(false)
    /// Set by a `MOVED` or a slot without a live primary: the slot map is read again at the next look.
    private let refreshWanted = Atomic<Bool>(false)
    /// Set once every primary has been connected at the same time (see `isReady`).
    private let clusterWasReady = Atomic<Bool>(false)
    /// Set once the cluster answered `CLUSTER SHARDS` with an error (a server older than 7.0): `CLUSTER SLOTS` then.
    private let slotsOnly = Atomic<Bool>(false)

    private struct ClusterState {
        var map = SlotMap()
        var pools: [SlotMap.Node: NodePool] = [:]
        /// Pools made for a node a redirect named before the map did (a primary that has no slot yet, while a slot
        /// moves to it), for the follower to start; and when each such node was last named.
        var unstarted: [NodePool] = []
        var named: [SlotMap.Node: ContinuousClock.Instant] = [:]
    }

    /// - Parameter metricNames: the names its counts are reported under, so that they sit among the builder's own;
    ///   `nil` counts nothing.
    public init(
        configuration: RedisConfiguration,
        scripts: [RedisScript] = [],
        metricNames: RedisMetricNames? = nil,
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        precondition(Set(scripts.map(\.name)).count == scripts.count, "script names must be unique")
        self.configuration = configuration
        self.scripts = scripts
        self.metrics = RedisMetrics(names: metricNames)
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.standalone =
            configuration.clusterSeeds.isEmpty
            ? Self.makePool(
                SlotMap.Node(host: configuration.host, port: configuration.port), configuration: configuration, scripts: scripts,
                logger: logger, eventLoopGroup: eventLoopGroup, metrics: self.metrics, loaded: self.loaded
            ) : nil
    }

    // MARK: Service

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            if let standalone = self.standalone {
                group.addTask { await standalone.run() }
            } else {
                group.addTask { await self.followCluster() }
            }
            // Returns on graceful shutdown, throws on cancellation; either way the client winds down.
            if (try? await gracefulShutdown()) != nil {
                await self.drain()
            }
            self.shuttingDown.store(true, ordering: .relaxed)
            group.cancelAll()
        }
        self.logger.info("redis client stopped")
    }

    // MARK: Commands

    /// Sends one command; an error reply is thrown, with the server's code.
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        let reply: RedisValue
        do {
            reply = try await self.sendRaw(arguments)
        } catch {
            self.metrics.count(error)
            throw error
        }
        return try RedisConnection.unwrap(reply)
    }

    /// Sends several commands back to back on one connection, in one write, and returns each reply in order: an error
    /// reply as a failure with the server's code, a lost connection as a failure for every command that had no reply
    /// yet. Each command counts against `maxInFlight`. In a cluster their keys must share a slot; a command redirected
    /// is sent again alone (the others ran where they were).
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [Result<RedisValue, RedisError>] {
        let replies: [Result<RedisValue, RedisError>]
        do {
            replies = try await self.pipelineRaw(commands)
        } catch {
            self.metrics.count(error)
            throw error
        }
        return replies.map { reply in
            if case .failure(let error) = reply { self.metrics.count(error) }
            return reply.flatMap { value in Result { () throws(RedisError) in try RedisConnection.unwrap(value) } }
        }
    }

    /// Runs a script by `EVALSHA`; when Redis has lost it (`NOSCRIPT` after a restart, failover or `SCRIPT FLUSH`)
    /// falls back to `EVAL`, which runs it and caches it again. `NOSCRIPT` means nothing ran, so this is safe.
    public func evalScript(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisValue {
        var command: [String] = []
        command.reserveCapacity(3 + keys.count + arguments.count)
        command += ["EVALSHA", "", String(keys.count)]
        command += keys
        command += arguments
        if let sha = self.loaded[script.name] {
            command[1] = sha
            do {
                return try await self.send(command)
            } catch let error where error.code == .server("NOSCRIPT") {
                self.logger.notice("redis lost a script, sending it again", metadata: ["script": "\(script.name)"])
            }
        }
        command[0] = "EVAL"
        command[1] = script.source
        return try await self.send(command)
    }

    /// True while every registered script has been loaded and a connection is up: to the server; in a cluster, once
    /// the map is read, first to every primary that serves a slot, and from then on to any. A primary that fails over makes its
    /// slots' commands fail until its replica takes over, not the whole client unready, so the other sites go on.
    public var isReady: Bool {
        guard self.loaded.count == self.scripts.count else { return false }
        if let standalone = self.standalone { return standalone.isUp }
        let wasReady = self.clusterWasReady.load(ordering: .relaxed)
        let ready = self.cluster.withLock { state in
            guard !state.map.primaries.isEmpty else { return false }
            let owners = state.map.owners
            return wasReady ? owners.contains { state.pools[$0]?.isUp == true } : owners.allSatisfy { state.pools[$0]?.isUp == true }
        }
        if ready && !wasReady { self.clusterWasReady.store(true, ordering: .relaxed) }
        return ready
    }

    /// Commands sent through the client and not yet answered.
    public var inFlight: Int { self.inFlightCount.load(ordering: .relaxed) }

    /// The primaries of the cluster as the client last read them (empty for a standalone server), in the order their
    /// first slots come.
    public var clusterPrimaries: [String] {
        self.cluster.withLock { state in state.map.owners.map(\.description).sorted() }
    }

    /// Where a command goes: a slot's primary (nil: any primary), or the node an `ASK` names.
    private enum Target: Hashable {
        case slot(Int?)
        case asking(SlotMap.Node)
    }

    private func sendRaw(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        if let standalone = self.standalone {
            let connection = try self.lease(1, standalone)
            defer { self.inFlightCount.subtract(1, ordering: .relaxed) }
            return try await connection.sendRaw(arguments)
        }
        var target = Target.slot(try HashSlot.route(arguments))
        var retries = self.retryBackoff
        let attempts = max(0, self.configuration.maxRedirects)
        for attempt in 0...attempts {
            let connection = try self.lease(1, target)
            let reply: RedisValue
            do {
                defer { self.inFlightCount.subtract(1, ordering: .relaxed) }
                if case .asking = target {
                    reply = try await connection.pipeline([["ASKING"], arguments])[1].get()
                } else {
                    reply = try await connection.sendRaw(arguments)
                }
            }
            guard let next = self.redirect(reply, of: arguments, from: target) else { return reply }
            guard attempt < attempts else { break }
            if next.pause { await self.pause(&retries) }
            target = next.target
        }
        throw RedisError(.redirects, message: "\(arguments.first ?? "") was redirected more than \(attempts) times")
    }

    private func pipelineRaw(_ commands: [[String]]) async throws(RedisError) -> [Result<RedisValue, RedisError>] {
        if let standalone = self.standalone {
            let connection = try self.lease(commands.count, standalone)
            defer { self.inFlightCount.subtract(commands.count, ordering: .relaxed) }
            return await connection.pipeline(commands)
        }
        // Even with nothing to send, a client that could send nothing says why.
        guard !commands.isEmpty else {
            _ = try self.lease(0, .slot(nil))
            return []
        }
        var slot: Int?
        for command in commands {
            guard let next = try HashSlot.route(command) else { continue }
            if let slot, slot != next { throw .crossSlot("a pipeline") }
            slot = next
        }
        var results = [Result<RedisValue, RedisError>?](repeating: nil, count: commands.count)
        var pending = Dictionary(grouping: commands.indices) { _ in Target.slot(slot) }
        var retries = self.retryBackoff
        let attempts = max(0, self.configuration.maxRedirects)
        for attempt in 0...attempts where !pending.isEmpty {
            var next: [Target: [Int]] = [:]
            var pause = false
            for (target, indices) in pending {
                // A group that cannot be sent fails alone: the others' replies stand, and some of them may have run.
                let connection: RedisConnection
                do {
                    connection = try self.lease(indices.count, target)
                } catch {
                    for index in indices { results[index] = .failure(error) }
                    continue
                }
                let replies: [Result<RedisValue, RedisError>]
                do {
                    defer { self.inFlightCount.subtract(indices.count, ordering: .relaxed) }
                    if case .asking = target {
                        let sent = await connection.pipeline(indices.flatMap { [["ASKING"], commands[$0]] })
                        replies = stride(from: 1, to: sent.count, by: 2).map { sent[$0] }
                    } else {
                        replies = await connection.pipeline(indices.map { commands[$0] })
                    }
                }
                for (index, reply) in zip(indices, replies) {
                    guard case .success(let value) = reply,
                        let redirected = self.redirect(value, of: commands[index], from: target)
                    else {
                        results[index] = reply
                        continue
                    }
                    guard attempt < attempts else {
                        results[index] = .failure(RedisError(.redirects, message: "a pipeline's command was redirected more than \(attempts) times"))
                        continue
                    }
                    next[redirected.target, default: []].append(index)
                    pause = pause || redirected.pause
                }
            }
            // One pause a round, however many of its replies asked for one.
            if pause && !next.isEmpty { await self.pause(&retries) }
            pending = next
        }
        return results.map { $0 ?? .failure(.notConnected) }
    }

    /// Where to send a command again after `reply`, and whether to wait first; nil when `reply` is its answer. After
    /// `MOVED`, the new primary (recorded, and the map read again soon); after `ASK`, the node it names; after
    /// `TRYAGAIN`, `CLUSTERDOWN` or `LOADING`, the same place after a pause.
    private func redirect(_ reply: RedisValue, of command: [String], from target: Target) -> (target: Target, pause: Bool)? {
        guard case .error(let error) = reply, case .server(let code) = error.code else { return nil }
        switch code {
        case "MOVED", "ASK":
            let words = error.message.split(separator: " ")
            guard words.count == 2, let slot = Int(words[0]), slot >= 0, slot < HashSlot.count, let node = SlotMap.Node(words[1]) else {
                return nil
            }
            if code == "ASK" {
                // A script declares some of its keys and may read others: on the node importing the slot those not
                // yet moved would read as absent. It waits for the move to end instead, as after TRYAGAIN.
                guard !HashSlot.isScript(command) else { return (target, true) }
                return (.asking(node), false)
            }
            self.cluster.withLock { $0.map.assign(slot, to: node) }
            self.refreshWanted.store(true, ordering: .relaxed)
            return (.slot(slot), false)
        case "TRYAGAIN", "CLUSTERDOWN", "LOADING":
            return (target, true)
        default:
            return nil
        }
    }

    /// The pauses between retries of one command: the reconnect backoff's.
    private var retryBackoff: Backoff {
        Backoff(baseMilliseconds: self.configuration.reconnectBaseMilliseconds, maxMilliseconds: self.configuration.reconnectMaxMilliseconds)
    }

    /// Waits the next backoff delay.
    private func pause(_ retries: inout Backoff) async {
        var random = SystemRandomNumberGenerator()
        try? await Task.sleep(for: .milliseconds(retries.nextDelayMilliseconds(using: &random)))
    }

    /// Reserves `count` places in flight and picks the least busy live connection of `pool`. In a cluster a primary
    /// with no live connection may have failed over: the map is read again soon.
    private func lease(_ count: Int, _ pool: NodePool) throws(RedisError) -> RedisConnection {
        try self.reserve(count)
        guard !self.shuttingDown.load(ordering: .relaxed), let connection = pool.leastBusy() else {
            self.inFlightCount.subtract(count, ordering: .relaxed)
            if self.standalone == nil { self.refreshWanted.store(true, ordering: .relaxed) }
            throw self.shuttingDown.load(ordering: .relaxed) ? .shuttingDown : .notConnected
        }
        return connection
    }

    /// Reserves `count` places in flight and picks the least busy live connection for `target` in the cluster.
    private func lease(_ count: Int, _ target: Target) throws(RedisError) -> RedisConnection {
        let pool: NodePool? = self.cluster.withLock { state in
            switch target {
            case .asking(let node): return self.pool(for: node, &state)
            case .slot(let slot?): return state.map.node(for: slot).flatMap { self.pool(for: $0, &state) }
            case .slot(nil):
                for node in state.map.primaries { if let pool = state.pools[node], pool.isUp { return pool } }
                return nil
            }
        }
        guard let pool else {
            self.refreshWanted.store(true, ordering: .relaxed)
            throw RedisError(.notConnected, message: "no connection to the cluster node that serves this command")
        }
        return try self.lease(count, pool)
    }

    /// The pool of `node`, made (for the follower to start) when a redirect names a node the map does not have yet.
    private func pool(for node: SlotMap.Node, _ state: inout ClusterState) -> NodePool {
        if let pool = state.pools[node] {
            if state.named[node] != nil { state.named[node] = .now }
            return pool
        }
        let pool = self.makePool(node)
        state.pools[node] = pool
        state.unstarted.append(pool)
        state.named[node] = .now
        self.refreshWanted.store(true, ordering: .relaxed)
        return pool
    }

    private func makePool(_ node: SlotMap.Node) -> NodePool {
        Self.makePool(
            node, configuration: self.configuration, scripts: self.scripts, logger: self.logger, eventLoopGroup: self.eventLoopGroup,
            metrics: self.metrics, loaded: self.loaded
        )
    }

    /// A pool of connections to `node` that records the scripts' SHAs in `loaded` as its connections load them.
    private static func makePool(
        _ node: SlotMap.Node, configuration: RedisConfiguration, scripts: [RedisScript], logger: Logger, eventLoopGroup: any EventLoopGroup,
        metrics: RedisMetrics, loaded: LoadedScripts
    ) -> NodePool {
        NodePool(node: node, configuration: configuration, scripts: scripts, logger: logger, eventLoopGroup: eventLoopGroup, metrics: metrics) {
            loaded.merge($0)
        }
    }

    private func reserve(_ count: Int) throws(RedisError) {
        let limit = self.configuration.maxInFlight
        self.metrics.commands?.increment(by: count)
        guard self.inFlightCount.add(count, ordering: .relaxed).newValue <= limit else {
            self.inFlightCount.subtract(count, ordering: .relaxed)
            throw .overloaded(limit: limit)
        }
    }

    // MARK: The cluster

    /// Reads the slot map, keeps a pool for each primary in it (stopping those of nodes that left it), and reads it
    /// again every `clusterRefreshMilliseconds`, or soon after a `MOVED`, until cancelled.
    private func followCluster() async {
        await withDiscardingTaskGroup { group in
            var backoff = Backoff(
                baseMilliseconds: self.configuration.reconnectBaseMilliseconds, maxMilliseconds: self.configuration.reconnectMaxMilliseconds
            )
            var random = SystemRandomNumberGenerator()
            while !Task.isCancelled {
                self.refreshWanted.store(false, ordering: .relaxed)
                guard let map = await self.readSlotMap() else {
                    try? await Task.sleep(for: .milliseconds(backoff.nextDelayMilliseconds(using: &random)))
                    continue
                }
                backoff.reset()
                let linger = Duration.milliseconds(2 * self.configuration.clusterRefreshMilliseconds)
                let stopped: [NodePool] = self.cluster.withLock { state in
                    state.map = map
                    for node in map.primaries where state.pools[node] == nil {
                        let pool = self.makePool(node)
                        state.pools[node] = pool
                        state.unstarted.append(pool)
                    }
                    // A node the map no longer has is let go, unless a redirect named it lately (a slot moving to it).
                    let now = ContinuousClock.now
                    let gone = state.pools.keys.filter { node in
                        !map.primaries.contains(node) && state.named[node].map { now - $0 > linger } ?? true
                    }
                    for node in gone { state.named[node] = nil }
                    return gone.compactMap { state.pools.removeValue(forKey: $0) }
                }
                for pool in stopped { pool.stop() }
                if !map.coversAll {
                    self.logger.warning("redis cluster has slots without a primary: their commands fail until one serves them")
                }
                // Wakes every tick to start the pools redirects asked for and to look for a wanted refresh, never
                // sooner than a tick after the last read; reads the map anyway once the interval has passed.
                let due = ContinuousClock.now + .milliseconds(self.configuration.clusterRefreshMilliseconds)
                repeat {
                    for pool in self.cluster.withLock({ state in
                        defer { state.unstarted = [] }; return state.unstarted
                    }) {
                        group.addTask { await pool.run() }
                    }
                    try? await Task.sleep(for: .milliseconds(Self.refreshTickMilliseconds))
                } while !Task.isCancelled && ContinuousClock.now < due && !self.refreshWanted.load(ordering: .relaxed)
            }
        }
    }

    /// How often the cluster's follower looks whether a command asked for the map to be read again: at most four
    /// reads a second while a primary is down and every command to it asks.
    private static let refreshTickMilliseconds = 250

    /// The slot map from a primary already connected, else from each seed in turn on a connection of its own.
    private func readSlotMap() async -> SlotMap? {
        let known = self.cluster.withLock { state in state.map.primaries.compactMap { node in state.pools[node].map { (node, $0) } } }
        for (node, pool) in known {
            guard let connection = pool.leastBusy(), let map = try? await self.readSlotMap(on: connection, asked: node) else { continue }
            if !map.primaries.isEmpty { return map }
        }
        for seed in self.configuration.clusterSeeds {
            guard let node = SlotMap.Node(seed) else { continue }
            do {
                let connection = try await NodePool.connect(to: node, self.configuration, on: self.eventLoopGroup)
                let replies = await connection.pipeline(NodePool.setup(self.configuration))
                let map: SlotMap
                do {
                    for reply in replies { _ = try RedisConnection.unwrap(try reply.get()) }
                    map = try await self.readSlotMap(on: connection, asked: node)
                } catch {
                    await connection.close()
                    throw error
                }
                await connection.close()
                if !map.primaries.isEmpty { return map }
                self.logger.warning("redis cluster seed reports no slot served", metadata: ["redis.seed": "\(seed)"])
            } catch {
                self.logger.warning("redis cluster seed unreachable", metadata: ["redis.seed": "\(seed)", "error": "\(error)"])
            }
        }
        return nil
    }

    /// The slot map as `node` tells it on `connection`: `CLUSTER SHARDS`, or `CLUSTER SLOTS` from a server that does
    /// not know it (before 7.0; 7.0 deprecated `CLUSTER SLOTS`).
    private func readSlotMap(on connection: RedisConnection, asked node: SlotMap.Node) async throws(RedisError) -> SlotMap {
        if !self.slotsOnly.load(ordering: .relaxed) {
            let reply = try await connection.sendRaw(["CLUSTER", "SHARDS"])
            guard case .error(let error) = reply else { return try SlotMap(shards: reply, asked: node) }
            // Any other error (a node still loading, say) is this node's, not the server version's.
            guard error.message.lowercased().contains("unknown subcommand") else { throw error }
            self.slotsOnly.store(true, ordering: .relaxed)
        }
        return try SlotMap(slots: try await connection.send(["CLUSTER", "SLOTS"]), asked: node)
    }

    /// Stops taking commands and waits, up to the drain timeout, for those in flight to be answered.
    private func drain() async {
        self.shuttingDown.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.drainTimeoutMilliseconds)
        while self.inFlight > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Each registered script's SHA, as the connections loaded them (the same on every node: it is the source's SHA1).
private final class LoadedScripts: Sendable {
    private let shas = Mutex<[String: String]>([:])

    func merge(_ loaded: [String: String]) {
        self.shas.withLock { $0.merge(loaded) { _, new in new } }
    }

    subscript(name: String) -> String? { self.shas.withLock { $0[name] } }

    var count: Int { self.shas.withLock { $0.count } }
}
