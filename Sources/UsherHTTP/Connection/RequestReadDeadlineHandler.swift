internal import Foundation
internal import HTTPTypes
internal import NIOCore
internal import NIOHTTPTypes

/// Runs the request read deadline (see `RequestReadDeadline`) on one HTTP/1 connection. It sits among Hummingbird's
/// additional channel handlers, after the HTTP decoder, so it sees whole request parts, and also every socket read's
/// completion, which arrives even while a head is still incomplete and so marks a request's first bytes.
final class RequestReadDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeoutSeconds: Int
    private var deadline = RequestReadDeadline()
    /// When the request being read must have arrived; nil while none is being timed.
    private var due: NIODeadline?
    /// Fires at or before `due`. It is left running when a request arrives in time, and moved on when it fires
    /// early, so that a kept-alive connection schedules about one timer per timeout, not one per request (a
    /// timer scheduled and cancelled per request took a twentieth of a poll's CPU).
    private var timer: Scheduled<Void>?

    init(timeoutSeconds: Int) {
        self.timeoutSeconds = timeoutSeconds
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head: self.run(self.deadline.readHead(), context: context)
        case .body: break
        case .end: self.run(self.deadline.readEnd(), context: context)
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.run(self.deadline.readCompleted(), context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .inputClosed {
            self.run(self.deadline.inputClosed(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimer()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(let head): self.deadline.wroteHead(informational: head.status.kind == .informational)
        case .body: break
        case .end: self.deadline.wroteEnd()
        }
        context.write(data, promise: promise)
    }

    private func run(_ clock: RequestReadDeadline.Clock, context: ChannelHandlerContext) {
        switch clock {
        case .start:
            let due = NIODeadline.now() + .seconds(Int64(self.timeoutSeconds))
            self.due = due
            // A running timer fires no later than this: deadlines only move on.
            if self.timer == nil { self.schedule(at: due, context: context) }
        case .stop:
            self.due = nil
        case .keep:
            break
        }
    }

    private func schedule(at due: NIODeadline, context: ChannelHandlerContext) {
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            self.timer = nil
            guard let due = self.due else { return }
            if due > NIODeadline.now() {
                self.schedule(at: due, context: context)
            } else {
                self.due = nil
                self.passed(context: context)
            }
        }
    }

    /// The connection is going: no timer may outlive it.
    private func cancelTimer() {
        self.due = nil
        self.timer?.cancel()
        self.timer = nil
    }

    /// Closing drops the connection's buffered body and ends the request's body stream, so its handler finishes.
    private func passed(context: ChannelHandlerContext) {
        switch self.deadline.passed() {
        case .answer:
            let body = ByteBuffer(bytes: self.errorBody)
            let head = HTTPResponse(
                status: .requestTimeout,
                headerFields: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes), .connection: "close"]
            )
            context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
            context.write(Self.wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
        case .close:
            context.close(promise: nil)
        case .nothing:
            break
        }
    }

    /// The JSON error every other refusal has.
    private var errorBody: Data {
        let error = APIError(
            status: .requestTimeout, code: "request_timeout",
            message: "the request did not arrive within \(self.timeoutSeconds) seconds"
        )
        // Encoding a struct of strings cannot fail.
        return (try? JSONEncoder().encode(error.body)) ?? Data()
    }
}

@available(*, unavailable)
extension RequestReadDeadlineHandler: Sendable {}
