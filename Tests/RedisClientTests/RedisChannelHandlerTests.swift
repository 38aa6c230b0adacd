import NIOCore
import NIOEmbedded
import Testing

@testable import RedisClient

/// The handler on NIO's embedded testing channel: no server, every byte under the test's control.
@Suite("channel handler")
struct RedisChannelHandlerTests {
    final class Harness {
        let channel = EmbeddedChannel(handler: RedisChannelHandler())
        var loop: EmbeddedEventLoop { self.channel.embeddedEventLoop }

        init() throws {
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
        }

        func send(_ arguments: [String], timeout: TimeAmount = .seconds(5)) throws -> EventLoopFuture<RedisValue> {
            var encoded = self.channel.allocator.buffer(capacity: 32)
            RESPEncoder.encode(arguments, into: &encoded)
            let promise = self.loop.makePromise(of: RedisValue.self)
            let request = RedisRequest(encoded: encoded, reply: promise, deadline: self.loop.now + timeout)
            self.channel.writeAndFlush(request, promise: nil)
            self.loop.run()
            return promise.futureResult
        }

        func receive(_ text: String) throws {
            try self.channel.writeInbound(self.channel.allocator.buffer(string: text))
        }

        func written() throws -> String? {
            try self.channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        }
    }

    static func result(_ future: EventLoopFuture<RedisValue>) -> Result<RedisValue, any Error>? {
        // The embedded loop runs callbacks inline, on this thread.
        nonisolated(unsafe) var result: Result<RedisValue, any Error>?
        future.whenComplete { result = $0 }
        return result
    }

    @Test("commands are written in RESP as hiredis formats them")
    func writesRESP() throws {
        let harness = try Harness()
        _ = try harness.send(["SET", "key", "välue", ""])
        #expect(try harness.written() == "*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n$0\r\n\r\n")
    }

    @Test("a reply split across reads is delivered once it is complete")
    func partialReply() throws {
        let harness = try Harness()
        let reply = try harness.send(["GET", "k"])
        try harness.receive("$5\r\nhel")
        #expect(Self.result(reply) == nil)
        try harness.receive("lo\r\n")
        #expect(try Self.result(reply)?.get() == .bulk(Array("hello".utf8)))
    }

    @Test("many replies in one read each reach their own command")
    func manyRepliesInOneRead() throws {
        let harness = try Harness()
        let replies = try (0..<4).map { try harness.send(["ECHO", "\($0)"]) }
        try harness.receive(":0\r\n+OK\r\n$-1\r\n*2\r\n:1\r\n-ERR nested\r\n")
        #expect(try Self.result(replies[0])?.get() == .integer(0))
        #expect(try Self.result(replies[1])?.get() == .status("OK"))
        #expect(try Self.result(replies[2])?.get() == .null)
        #expect(try Self.result(replies[3])?.get() == .array([.integer(1), .error(RedisServerError(reply: "ERR nested"))]))
    }

    @Test("a malformed stream fails every pending command and closes the channel")
    func malformedStream() throws {
        let harness = try Harness()
        let first = try harness.send(["PING"])
        let second = try harness.send(["PING"])
        try harness.receive("?what\r\n")
        for reply in [first, second] {
            guard case .failure(RedisClientError.protocolError) = Self.result(reply) else {
                Issue.record("expected a protocol error, got \(String(describing: Self.result(reply)))")
                return
            }
        }
        #expect(!harness.channel.isActive)
    }

    @Test("a command past its deadline fails with a timeout and closes the channel")
    func timeout() throws {
        let harness = try Harness()
        let reply = try harness.send(["BLPOP", "k", "0"], timeout: .milliseconds(100))
        harness.loop.advanceTime(by: .milliseconds(99))
        #expect(Self.result(reply) == nil)
        harness.loop.advanceTime(by: .milliseconds(2))
        guard case .failure(RedisClientError.timeout) = Self.result(reply) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(!harness.channel.isActive)
    }

    @Test("commands sent after the channel closed fail at once")
    func sendAfterClose() throws {
        let harness = try Harness()
        let pending = try harness.send(["PING"])
        try harness.channel.close().wait()
        guard case .failure(RedisClientError.connectionClosed) = Self.result(pending) else {
            Issue.record("pending command not failed on close")
            return
        }
    }
}
