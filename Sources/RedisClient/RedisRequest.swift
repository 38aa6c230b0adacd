internal import NIOCore

/// One command on its way to the channel handler: the encoded bytes and where its reply goes.
struct RedisRequest {
    let encoded: ByteBuffer
    let reply: EventLoopPromise<RedisValue>
    let deadline: NIODeadline
}
