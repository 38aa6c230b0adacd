import NIOCore
import NIOEmbedded
import Testing

@testable import RedisClient

/// The handler on NIO's embedded testing channel: no server, every byte under the test's control.
@Suite("channel handler")
struct RedisChannelHandlerTests {
    /// What a request was answered with; the embedded loop runs everything on this thread.
    final class Reply: @unchecked Sendable {
        var result: Result<RedisValue, RedisError>?
        var completions = 0

        /// The code of the error the request failed with, if it failed.
        var errorCode: RedisError.Code? {
            guard case .failure(let error) = self.result else { return nil }
            return error.code
        }
    }

    final class Harness {
        let handler = RedisChannelHandler()
        let channel: EmbeddedChannel
        var loop: EmbeddedEventLoop { self.channel.embeddedEventLoop }

        init() throws {
            self.channel = EmbeddedChannel(handler: self.handler)
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
        }

        func send(_ arguments: [String], timeout: TimeAmount = .seconds(5)) -> Reply {
            var encoded = self.channel.allocator.buffer(capacity: 32)
            RESPEncoder.encode(arguments, into: &encoded)
            let reply = Reply()
            self.handler.send([
                RedisRequest(encoded: encoded, deadline: self.loop.now + timeout) { result in
                    reply.result = result
                    reply.completions += 1
                }
            ])
            return reply
        }

        func receive(_ text: String) throws {
            try self.channel.writeInbound(self.channel.allocator.buffer(string: text))
        }

        func written() throws -> String? {
            try self.channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
        }
    }

    @Test("commands are written in RESP as hiredis formats them")
    func writesRESP() throws {
        let harness = try Harness()
        _ = harness.send(["SET", "key", "välue", ""])
        #expect(try harness.written() == "*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$6\r\nvälue\r\n$0\r\n\r\n")
    }

    @Test("a reply split across reads is delivered once it is complete")
    func partialReply() throws {
        let harness = try Harness()
        let reply = harness.send(["GET", "k"])
        try harness.receive("$5\r\nhel")
        #expect(reply.result == nil)
        try harness.receive("lo\r\n")
        #expect(try reply.result?.get() == .bulk(Array("hello".utf8)))
    }

    @Test("many replies in one read each reach their own command")
    func manyRepliesInOneRead() throws {
        let harness = try Harness()
        let replies = (0..<4).map { harness.send(["ECHO", "\($0)"]) }
        try harness.receive(":0\r\n+OK\r\n$-1\r\n*2\r\n:1\r\n-ERR nested\r\n")
        #expect(try replies[0].result?.get() == .integer(0))
        #expect(try replies[1].result?.get() == .status("OK"))
        #expect(try replies[2].result?.get() == .null)
        #expect(try replies[3].result?.get() == .array([.integer(1), .error(RedisError(reply: "ERR nested"))]))
    }

    @Test("a malformed stream fails every pending command and closes the channel")
    func malformedStream() throws {
        let harness = try Harness()
        let first = harness.send(["PING"])
        let second = harness.send(["PING"])
        try harness.receive("?what\r\n")
        for reply in [first, second] {
            #expect(reply.errorCode == .protocolError, "got \(String(describing: reply.result))")
            #expect(reply.completions == 1)
        }
        #expect(!harness.channel.isActive)
    }

    @Test("a command past its deadline fails with a timeout and closes the channel")
    func timeout() throws {
        let harness = try Harness()
        let reply = harness.send(["BLPOP", "k", "0"], timeout: .milliseconds(100))
        harness.loop.advanceTime(by: .milliseconds(99))
        #expect(reply.result == nil)
        harness.loop.advanceTime(by: .milliseconds(2))
        #expect(reply.errorCode == .timeout)
        #expect(!harness.channel.isActive)
    }

    @Test("commands sent after the channel closed fail at once")
    func sendAfterClose() throws {
        let harness = try Harness()
        let pending = harness.send(["PING"])
        try harness.channel.close().wait()
        #expect(pending.errorCode == .connectionClosed, "pending command not failed on close")
        #expect(pending.completions == 1)
        let late = harness.send(["PING"])
        #expect(late.errorCode == .connectionClosed, "a command after close was not failed at once")
        #expect(late.completions == 1)
    }
}
