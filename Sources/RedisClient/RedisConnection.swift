public import NIOCore
public import NIOPosix
internal import Synchronization

/// One TCP connection to Redis carrying many commands in flight. Thread-safe; replies come back in order.
public final class RedisConnection: Sendable {
    let channel: any Channel
    private let commandTimeout: TimeAmount
    private let inFlightCount = Atomic<Int>(0)

    init(channel: any Channel, commandTimeout: TimeAmount) {
        self.channel = channel
        self.commandTimeout = commandTimeout
    }

    /// Opens a connection; it does not authenticate or select a database (the client's handshake does).
    public static func connect(
        host: String,
        port: Int,
        connectTimeout: TimeAmount,
        commandTimeout: TimeAmount,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async throws -> RedisConnection {
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
        return RedisConnection(channel: channel, commandTimeout: commandTimeout)
    }

    /// Commands sent and not yet answered; the pool uses it to pick the least busy connection.
    public var inFlight: Int { self.inFlightCount.load(ordering: .relaxed) }

    public var isActive: Bool { self.channel.isActive }

    /// Sends one command and waits for its reply; an error reply is thrown as `RedisServerError`.
    public func send(_ arguments: [String]) async throws -> RedisValue {
        try Self.unwrap(try await self.sendFuture(arguments).get())
    }

    /// Sends one command; the future holds the raw reply (an error reply is a value here, not a failure).
    func sendFuture(_ arguments: [String]) -> EventLoopFuture<RedisValue> {
        var encoded = self.channel.allocator.buffer(capacity: 64)
        RESPEncoder.encode(arguments, into: &encoded)
        let reply = self.channel.eventLoop.makePromise(of: RedisValue.self)
        let request = RedisRequest(encoded: encoded, reply: reply, deadline: .now() + self.commandTimeout)
        self.inFlightCount.add(1, ordering: .relaxed)
        reply.futureResult.whenComplete { _ in self.inFlightCount.subtract(1, ordering: .relaxed) }
        // A write that never reaches the handler (the channel already closed) must still answer the caller.
        // Completing an already completed promise is a no-op in NIO, so the handler may have failed it first.
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in reply.fail(RedisClientError.connectionClosed) }
        self.channel.writeAndFlush(request, promise: written)
        return reply.futureResult
    }

    /// Closes the connection; pending commands fail with `connectionClosed`.
    public func close() async {
        try? await self.channel.close()
    }

    var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    static func unwrap(_ value: RedisValue) throws -> RedisValue {
        if case .error(let error) = value { throw error }
        return value
    }
}
