internal import NIOCore

/// Writes commands, matches replies to them in order and enforces each command's deadline.
///
/// Flushes are coalesced: every flush asked for within one event-loop tick becomes a single syscall, so many
/// concurrent callers share writes (pipelining without the callers having to batch).
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var stateMachine = RedisConnectionStateMachine<EventLoopPromise<RedisValue>>()
    private let decoder = RESPDecoder()
    private var timer: Scheduled<Void>?
    private var flushScheduled = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        switch self.stateMachine.send(request.reply, deadline: request.deadline) {
        case .write:
            context.write(self.wrapOutboundOut(request.encoded), promise: promise)
            if self.timer == nil {
                self.armTimer(context: context, deadline: request.deadline)
            }
        case .fail(let reply, let error):
            reply.fail(error)
            promise?.fail(error)
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard !self.flushScheduled else { return }
        self.flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try self.decoder.feed(self.unwrapInboundIn(data))
            while let value = try self.decoder.next() {
                switch self.stateMachine.received() {
                case .succeed(let reply):
                    reply.succeed(value)
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
            waiter.fail(RedisClientError.connectionClosed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(self.stateMachine.closed(), .connectionClosed, context: context)
    }

    private func fail(_ waiters: [EventLoopPromise<RedisValue>], _ error: RedisClientError, context: ChannelHandlerContext) {
        self.cancelTimer()
        for waiter in waiters {
            waiter.fail(error)
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
