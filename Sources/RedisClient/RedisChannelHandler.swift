internal import NIOCore

/// Writes commands, matches replies to them in order and enforces each command's deadline.
///
/// Commands arrive in batches from `RedisConnection` (one event-loop hop and one flush per batch, so many
/// concurrent callers share syscalls), not through the pipeline's write path: this handler is the only place that
/// completes a request, so every request is completed exactly once.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var stateMachine = RedisConnectionStateMachine<RedisRequest.Completion>()
    private let decoder = RESPDecoder()
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimer()
        for waiter in self.stateMachine.closed() {
            waiter(.failure(.connectionClosed))
        }
        self.context = nil
    }

    /// Writes a batch of commands and flushes once. Must be called on the channel's event loop.
    func send(_ batch: [RedisRequest]) {
        guard let context, context.channel.isActive else {
            for request in batch {
                request.complete(.failure(.connectionClosed))
            }
            return
        }
        // One buffer and one write for the whole batch: a thousand small writes cost far more than one copy.
        var out = context.channel.allocator.buffer(capacity: batch.reduce(0) { $0 + $1.encoded.readableBytes })
        for request in batch {
            switch self.stateMachine.send(request.complete, deadline: request.deadline) {
            case .write:
                var encoded = request.encoded
                out.writeBuffer(&encoded)
                if self.timer == nil {
                    self.armTimer(context: context, deadline: request.deadline)
                }
            case .fail(let complete, let error):
                complete(.failure(error))
            }
        }
        if out.readableBytes > 0 {
            context.writeAndFlush(self.wrapOutboundOut(out), promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try self.decoder.feed(self.unwrapInboundIn(data))
            while let value = try self.decoder.next() {
                switch self.stateMachine.received() {
                case .succeed(let complete):
                    complete(.success(value))
                case .failAllAndClose(let waiters, let error):
                    self.fail(waiters, error, context: context)
                    return
                }
            }
        } catch {
            self.fail(self.stateMachine.decodingFailed(error), error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelTimer()
        for waiter in self.stateMachine.closed() {
            waiter(.failure(.connectionClosed))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(self.stateMachine.closed(), .connectionClosed, context: context)
    }

    private func fail(_ waiters: [RedisRequest.Completion], _ error: RedisError, context: ChannelHandlerContext) {
        self.cancelTimer()
        for waiter in waiters {
            waiter(.failure(error))
        }
        context.close(promise: nil)
    }

    private func armTimer(context: ChannelHandlerContext, deadline: NIODeadline) {
        let loop = context.eventLoop.assumeIsolated()
        self.timer = loop.scheduleTask(deadline: deadline) {
            self.timer = nil
            switch self.stateMachine.timerFired(now: .now()) {
            case .none:
                break
            case .arm(let next):
                self.armTimer(context: context, deadline: next)
            case .failAllAndClose(let waiters, let error):
                self.fail(waiters, error, context: context)
            }
        }
    }

    private func cancelTimer() {
        self.timer?.cancel()
        self.timer = nil
    }
}
