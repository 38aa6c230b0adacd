internal import NIOCore

/// One command on its way to the channel handler: the encoded bytes, its deadline, and where its reply goes.
/// `complete` is called exactly once, on the connection's event loop, by the channel handler.
struct RedisRequest {
    typealias Completion = @Sendable (Result<RedisValue, RedisError>) -> Void

    let encoded: ByteBuffer
    let deadline: NIODeadline
    let complete: Completion
}
