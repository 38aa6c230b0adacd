import CLibFuzzer
import Glibc
import NIOCore
import NIOEmbedded

@testable import RedisClient

/// libFuzzer's bytes as what Redis sent: fed in pieces to a channel handler on NIO's embedded channel with a few
/// commands waiting, as `ReplyFuzzTests` does with seeded bytes. Whatever the bytes, nothing crashes, no command ends
/// twice, replies end commands in the order they were sent, a protocol error leaves no command waiting and closes the
/// connection, and once the connection closes every command has ended. A broken rule traps, so libFuzzer reports it.
///
/// The first byte is the shape of the input: `1 + byte % 8` commands wait, and the rest arrives in pieces of
/// `1 + byte / 8` bytes (1 to 32). The seed corpus starts each file with a printable one ('0' is one command, pieces
/// of 7 bytes).
@main
enum RedisReplyFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzReply(data, size) })
    }
}

func fuzzReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let shape = input.first else { return 0 }
    let bytes = input.dropFirst()
    let pieceBytes = 1 + Int(shape / 8)
    let handler = RedisChannelHandler()
    let channel = EmbeddedChannel(handler: handler)
    let ledger = Ledger()
    do {
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
        let replies = (0..<(1 + Int(shape % 8))).map { _ in ledger.send(on: handler, channel: channel) }
        var offset = bytes.startIndex
        while offset < bytes.endIndex, channel.isActive {
            let end = min(bytes.endIndex, offset + pieceBytes)
            try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        ledger.check(replies, channelActive: channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
        precondition(replies.allSatisfy { $0.completions == 1 }, "a command was left waiting after the channel closed")
    } catch {
        fatalError("the embedded channel failed: \(error)")
    }
    return 0
}

/// How each command ended; the embedded loop runs everything on libFuzzer's thread.
final class Reply: @unchecked Sendable {
    let index: Int
    var result: Result<RedisValue, RedisError>?
    var completions = 0

    init(index: Int) {
        self.index = index
    }
}

/// The commands of one input, and the order in which their replies arrived.
final class Ledger: @unchecked Sendable {
    private var sent = 0
    private var succeeded = 0

    func send(on handler: RedisChannelHandler, channel: EmbeddedChannel) -> Reply {
        var encoded = channel.allocator.buffer(capacity: 14)
        RESPEncoder.encode(["PING"], into: &encoded)
        let reply = Reply(index: self.sent)
        self.sent += 1
        let deadline = channel.embeddedEventLoop.now + .seconds(5)
        handler.send([
            RedisRequest(encoded: encoded, deadline: deadline) { result in
                precondition(reply.completions == 0, "command \(reply.index) ended twice")
                reply.completions += 1
                reply.result = result
                if case .success = result {
                    precondition(reply.index == self.succeeded, "reply \(self.succeeded) went to command \(reply.index)")
                    self.succeeded += 1
                }
            }
        ])
        return reply
    }

    /// The rules once the bytes are in, before the fuzzer closes the channel itself.
    func check(_ replies: [Reply], channelActive: Bool) {
        for reply in replies {
            if case .failure(let error) = reply.result, error.code != .protocolError {
                fatalError("command \(reply.index) failed with \(error), not a reply or a protocol error")
            }
        }
        let protocolError = replies.contains { if case .failure(let error) = $0.result { error.code == .protocolError } else { false } }
        if protocolError {
            precondition(!channelActive, "a protocol error left the connection open")
        }
        if !channelActive {
            precondition(replies.allSatisfy { $0.completions == 1 }, "a command was left waiting on a closed connection")
        }
    }
}
