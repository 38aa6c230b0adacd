internal import Logging
internal import NIOCore
internal import Synchronization

/// The connections to one Redis node: each pool slot connects, authenticates, selects the database, names itself and
/// loads the registered scripts, then waits for its connection to drop and reconnects with jittered exponential
/// backoff, until the pool stops.
final class NodePool: Sendable {
    let node: SlotMap.Node
    private let configuration: RedisConfiguration
    private let scripts: [RedisScript]
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let metrics: RedisMetrics
    /// Told each script's SHA once a connection has loaded them.
    private let loaded: @Sendable ([String: String]) -> Void
    private let state: Mutex<State>

    private struct State {
        var connections: [RedisConnection?]
        var stopped = false
    }

    init(
        node: SlotMap.Node, configuration: RedisConfiguration, scripts: [RedisScript], logger: Logger, eventLoopGroup: any EventLoopGroup,
        metrics: RedisMetrics, loaded: @escaping @Sendable ([String: String]) -> Void
    ) {
        self.node = node
        self.configuration = configuration
        self.scripts = scripts
        var logger = logger
        logger[metadataKey: "redis.address"] = "\(node)"
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.metrics = metrics
        self.loaded = loaded
        self.state = Mutex(State(connections: Array(repeating: nil, count: max(1, configuration.poolSize))))
    }

    /// Keeps every slot connected until cancelled or stopped.
    func run() async {
        await withDiscardingTaskGroup { group in
            for slot in 0..<self.state.withLock({ $0.connections.count }) {
                group.addTask { await self.maintain(slot: slot) }
            }
        }
    }

    /// Takes no more commands and lets `run` end, closing each connection once the commands sent on it are answered
    /// (or their deadline has passed): the node no longer serves what this client sends, but what it was sent still
    /// gets its answer (a `MOVED` the client follows, say) rather than a closed connection, whose outcome is unknown.
    func stop() {
        let open = self.state.withLock { state in
            state.stopped = true
            return state.connections.compactMap { $0 }
        }
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.commandTimeoutMilliseconds)
        Task {
            while open.contains(where: { $0.inFlight > 0 }), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(Self.drainPollMilliseconds))
            }
            for connection in open { connection.channel.close(promise: nil) }
        }
    }

    /// How often a stopped pool looks whether its connections' commands are answered.
    private static let drainPollMilliseconds = 5

    /// The live connection with the fewest commands pending, if any; none once stopped.
    func leastBusy() -> RedisConnection? {
        self.state.withLock { state in
            guard !state.stopped else { return nil }
            var best: RedisConnection?
            for case let connection? in state.connections where connection.isActive {
                if best == nil || connection.inFlight < best!.inFlight { best = connection }
            }
            return best
        }
    }

    var isUp: Bool { self.state.withLock { $0.connections.contains { $0?.isActive == true } } }

    private var isStopped: Bool { self.state.withLock { $0.stopped } }

    private func maintain(slot: Int) async {
        var backoff = Backoff(
            baseMilliseconds: self.configuration.reconnectBaseMilliseconds,
            maxMilliseconds: self.configuration.reconnectMaxMilliseconds
        )
        var random = SystemRandomNumberGenerator()
        var logger = self.logger
        logger[metadataKey: "redis.slot"] = "\(slot)"
        while !Task.isCancelled, !self.isStopped {
            do {
                let connection = try await self.connectAndHandshake()
                backoff.reset()
                let stopped = self.state.withLock { state in
                    if !state.stopped { state.connections[slot] = connection }
                    return state.stopped
                }
                if stopped {
                    await connection.close()
                    return
                }
                logger.info("redis connected")
                await withTaskCancellationHandler {
                    try? await connection.closeFuture.get()
                } onCancel: {
                    connection.channel.close(promise: nil)
                }
                self.state.withLock { state in
                    if state.connections[slot] === connection { state.connections[slot] = nil }
                }
                if Task.isCancelled || self.isStopped { return }
                logger.warning("redis connection lost")
            } catch {
                if Task.isCancelled || self.isStopped { return }
                logger.warning("redis connect failed", metadata: ["error": "\(error)", "attempt": "\(backoff.failures + 1)"])
            }
            try? await Task.sleep(for: .milliseconds(backoff.nextDelayMilliseconds(using: &random)))
            self.metrics.reconnects?.increment()
        }
    }

    /// Connects and pipelines the whole handshake in one round trip: AUTH, SELECT, CLIENT SETNAME, SCRIPT LOAD.
    private func connectAndHandshake() async throws(RedisError) -> RedisConnection {
        let connection = try await Self.connect(to: self.node, self.configuration, on: self.eventLoopGroup)
        do throws(RedisError) {
            let setup = Self.setup(self.configuration)
            let loads = self.scripts.map { ["SCRIPT", "LOAD", $0.source] }
            let replies = await connection.pipeline(setup + loads)
            for reply in replies.prefix(setup.count) {
                _ = try RedisConnection.unwrap(try reply.get())
            }
            var shas: [String: String] = [:]
            for (script, reply) in zip(self.scripts, replies.dropFirst(setup.count)) {
                guard let sha = try RedisConnection.unwrap(try reply.get()).string else {
                    throw RedisError.protocolError("SCRIPT LOAD of \(script.name) returned no SHA")
                }
                shas[script.name] = sha
            }
            self.loaded(shas)
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    static func connect(to node: SlotMap.Node, _ configuration: RedisConfiguration, on group: any EventLoopGroup) async throws(RedisError)
        -> RedisConnection
    {
        try await RedisConnection.connect(
            host: node.host,
            port: node.port,
            connectTimeout: .milliseconds(Int64(configuration.connectTimeoutMilliseconds)),
            commandTimeout: .milliseconds(Int64(configuration.commandTimeoutMilliseconds)),
            on: group.any()
        )
    }

    /// The handshake's commands before the scripts: AUTH, SELECT, CLIENT SETNAME.
    static func setup(_ configuration: RedisConfiguration) -> [[String]] {
        var setup: [[String]] = []
        if let password = configuration.password {
            setup.append(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        setup.append(["SELECT", String(configuration.database)])
        setup.append(["CLIENT", "SETNAME", configuration.clientName])
        return setup
    }
}
