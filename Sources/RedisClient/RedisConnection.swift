public import NIOCore
public import NIOPosix
internal import Synchronization

/// One TCP connection to Redis carrying many commands in flight. Thread-safe; replies come back in order.
///
/// Callers on any thread append to an outbox; the first one to find it empty schedules a single drain on the
/// event loop, which hands the whole batch to the channel handler and flushes once. Under load, one event-loop hop
/// and one write syscall carry many commands.
public final class RedisConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>
    private let commandTimeout: TimeAmount
    private let inFlightCount = Atomic<Int>(0)
    private let outbox = Mutex<Outbox>(Outbox())

    private struct Outbox {
        var requests: [RedisRequest] = []
        var drainScheduled = false
    }

    init(channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, commandTimeout: TimeAmount) {
        self.channel = channel
        self.handler = handler
        self.commandTimeout = commandTimeout
    }

    /// Opens a connection; it does not authenticate or select a database (the client's handshake does). A connection
    /// that cannot be made is `notConnected`, saying why.
    public static func connect(
        host: String,
        port: Int,
        connectTimeout: TimeAmount,
        commandTimeout: TimeAmount,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async throws(RedisError) -> RedisConnection {
        do {
            let channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RedisChannelHandler())
                    }
                }
                .connect(host: host, port: port)
                .get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return RedisConnection(channel: channel, handler: handler, commandTimeout: commandTimeout)
        } catch {
            throw RedisError(.notConnected, message: "could not connect to Redis at \(host):\(port): \(error)")
        }
    }

    /// Commands sent and not yet answered; the pool uses it to pick the least busy connection.
    public var inFlight: Int { self.inFlightCount.load(ordering: .relaxed) }

    public var isActive: Bool { self.channel.isActive }

    /// Sends one command and waits for its reply; an error reply is thrown, with the server's code.
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        try Self.unwrap(try await self.sendRaw(arguments))
    }

    /// Sends one command and waits for its raw reply (an error reply is a value here, not a failure).
    func sendRaw(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        let reply = await withCheckedContinuation { continuation in
            self.enqueue([arguments]) { _, result in continuation.resume(returning: result) }
        }
        return try reply.get()
    }

    /// Sends several commands back to back in one batch and waits for all their raw replies, in order.
    func pipeline(_ commands: [[String]]) async -> [Result<RedisValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let replies = Mutex<(results: [Result<RedisValue, RedisError>?], missing: Int)>(
                (Array(repeating: nil, count: commands.count), commands.count)
            )
            self.enqueue(commands) { index, result in
                let done: [Result<RedisValue, RedisError>]? = replies.withLock { state in
                    state.results[index] = result
                    state.missing -= 1
                    return state.missing == 0 ? state.results.map { $0! } : nil
                }
                if let done { continuation.resume(returning: done) }
            }
        }
    }

    /// Encodes the commands off the event loop and queues them in order; `complete` gets each command's index.
    private func enqueue(_ commands: [[String]], complete: @escaping @Sendable (Int, Result<RedisValue, RedisError>) -> Void) {
        let deadline = NIODeadline.now() + self.commandTimeout
        var requests: [RedisRequest] = []
        requests.reserveCapacity(commands.count)
        for (index, arguments) in commands.enumerated() {
            var encoded = self.channel.allocator.buffer(capacity: 64)
            RESPEncoder.encode(arguments, into: &encoded)
            requests.append(
                RedisRequest(encoded: encoded, deadline: deadline) { result in
                    self.inFlightCount.subtract(1, ordering: .relaxed)
                    complete(index, result)
                }
            )
        }
        self.inFlightCount.add(commands.count, ordering: .relaxed)
        let mustSchedule = self.outbox.withLock { outbox in
            outbox.requests.append(contentsOf: requests)
            defer { outbox.drainScheduled = true }
            return !outbox.drainScheduled
        }
        if mustSchedule {
            self.channel.eventLoop.execute { self.drain() }
        }
    }

    private func drain() {
        let batch = self.outbox.withLock { outbox in
            outbox.drainScheduled = false
            let batch = outbox.requests
            outbox.requests = []
            return batch
        }
        self.handler.value.send(batch)
    }

    /// Closes the connection; pending commands fail with `connectionClosed`.
    public func close() async {
        try? await self.channel.close()
    }

    var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    static func unwrap(_ value: RedisValue) throws(RedisError) -> RedisValue {
        if case .error(let error) = value { throw error }
        return value
    }
}
