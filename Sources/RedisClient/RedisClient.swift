public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
internal import Synchronization

/// A pool of pipelined Redis connections that keeps itself connected.
///
/// Run it as a `Service`: each pool slot connects, authenticates, selects the database, names itself and loads the
/// registered scripts, then waits for its connection to drop and reconnects with jittered exponential backoff.
/// Commands go to the least busy live connection and never wait for one: with no connection up they fail at once
/// (`notConnected`), past `maxInFlight` they are refused (`overloaded`).
public final class RedisClient: Service, Sendable {
    public let configuration: RedisConfiguration
    private let scripts: [RedisScript]
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let state: Mutex<PoolState>
    private let inFlightCount = Atomic<Int>(0)
    private let metrics: RedisMetrics

    private struct PoolState {
        var connections: [RedisConnection?]
        /// By script name: hashing a name is cheap, hashing a script's whole source on every call is not.
        var scriptSHAs: [String: String] = [:]
        var shuttingDown = false
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
        self.state = Mutex(PoolState(connections: Array(repeating: nil, count: max(1, configuration.poolSize))))
    }

    // MARK: Service

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for slot in 0..<self.state.withLock({ $0.connections.count }) {
                group.addTask { await self.maintain(slot: slot) }
            }
            // Returns on graceful shutdown, throws on cancellation; either way the pool winds down.
            if (try? await gracefulShutdown()) != nil {
                await self.drain()
            }
            self.state.withLock { $0.shuttingDown = true }
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
    /// yet. Each command counts against `maxInFlight`.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [Result<RedisValue, RedisError>] {
        let connection: RedisConnection
        do {
            connection = try self.lease(commands.count)
        } catch {
            self.metrics.count(error)
            throw error
        }
        defer { self.inFlightCount.subtract(commands.count, ordering: .relaxed) }
        return await connection.pipeline(commands).map { reply in
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
        if let sha = self.state.withLock({ $0.scriptSHAs[script.name] }) {
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

    /// True while at least one connection is up and every registered script has been loaded.
    public var isReady: Bool {
        self.state.withLock { state in
            state.connections.contains { $0?.isActive == true } && state.scriptSHAs.count == self.scripts.count
        }
    }

    /// Commands sent through the pool and not yet answered.
    public var inFlight: Int { self.inFlightCount.load(ordering: .relaxed) }

    private func sendRaw(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        let connection = try self.lease()
        defer { self.inFlightCount.subtract(1, ordering: .relaxed) }
        return try await connection.sendRaw(arguments)
    }

    /// Reserves `count` places in flight and picks the live connection with the fewest commands pending.
    private func lease(_ count: Int = 1) throws(RedisError) -> RedisConnection {
        let limit = self.configuration.maxInFlight
        self.metrics.commands?.increment(by: count)
        guard self.inFlightCount.add(count, ordering: .relaxed).newValue <= limit else {
            self.inFlightCount.subtract(count, ordering: .relaxed)
            throw .overloaded(limit: limit)
        }
        let picked: Result<RedisConnection, RedisError> = self.state.withLock { state in
            if state.shuttingDown { return .failure(.shuttingDown) }
            var best: RedisConnection?
            for case let connection? in state.connections where connection.isActive {
                if best == nil || connection.inFlight < best!.inFlight {
                    best = connection
                }
            }
            return best.map { .success($0) } ?? .failure(.notConnected)
        }
        switch picked {
        case .success(let connection):
            return connection
        case .failure(let error):
            self.inFlightCount.subtract(count, ordering: .relaxed)
            throw error
        }
    }

    // MARK: Connections

    private func maintain(slot: Int) async {
        var backoff = Backoff(
            baseMilliseconds: self.configuration.reconnectBaseMilliseconds,
            maxMilliseconds: self.configuration.reconnectMaxMilliseconds
        )
        var random = SystemRandomNumberGenerator()
        var logger = self.logger
        logger[metadataKey: "redis.slot"] = "\(slot)"
        while !Task.isCancelled {
            do {
                let connection = try await self.connectAndHandshake()
                backoff.reset()
                self.state.withLock { $0.connections[slot] = connection }
                logger.info("redis connected", metadata: ["redis.address": "\(self.address)"])
                await withTaskCancellationHandler {
                    try? await connection.closeFuture.get()
                } onCancel: {
                    connection.channel.close(promise: nil)
                }
                self.state.withLock { state in
                    if state.connections[slot] === connection { state.connections[slot] = nil }
                }
                if Task.isCancelled { return }
                logger.warning("redis connection lost", metadata: ["redis.address": "\(self.address)"])
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "redis connect failed",
                    metadata: ["redis.address": "\(self.address)", "error": "\(error)", "attempt": "\(backoff.failures + 1)"]
                )
            }
            try? await Task.sleep(for: .milliseconds(backoff.nextDelayMilliseconds(using: &random)))
            self.metrics.reconnects?.increment()
        }
    }

    private var address: String { "\(self.configuration.host):\(self.configuration.port)" }

    /// Connects and pipelines the whole handshake in one round trip: AUTH, SELECT, CLIENT SETNAME, SCRIPT LOAD.
    private func connectAndHandshake() async throws(RedisError) -> RedisConnection {
        let configuration = self.configuration
        let connection = try await RedisConnection.connect(
            host: configuration.host,
            port: configuration.port,
            connectTimeout: .milliseconds(Int64(configuration.connectTimeoutMilliseconds)),
            commandTimeout: .milliseconds(Int64(configuration.commandTimeoutMilliseconds)),
            on: self.eventLoopGroup.any()
        )
        do throws(RedisError) {
            var setup: [[String]] = []
            if let password = configuration.password {
                setup.append(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            setup.append(["SELECT", String(configuration.database)])
            setup.append(["CLIENT", "SETNAME", configuration.clientName])
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
            self.state.withLock { $0.scriptSHAs.merge(shas) { _, new in new } }
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Stops taking commands and waits, up to the drain timeout, for those in flight to be answered.
    private func drain() async {
        self.state.withLock { $0.shuttingDown = true }
        let deadline = ContinuousClock.now + .milliseconds(self.configuration.drainTimeoutMilliseconds)
        while self.inFlight > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
