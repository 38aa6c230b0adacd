import Foundation
import NIOCore
import NIOEmbedded
import RedisTestSupport
import Testing

@testable import RedisClient

/// Random and mutated RESP fed to the channel handler in random pieces, seeded so that a failing case replays
/// (`USHER_FUZZ_SEED`). Whatever the bytes, nothing crashes, and every command ends exactly once: with its reply,
/// or with a protocol error that closes the connection, or it is still waiting for bytes that never came.
@Suite("reply fuzzing")
struct ReplyFuzzTests {
    /// `USHER_FUZZ_CASES` runs more locally.
    static let cases = Int(ProcessInfo.processInfo.environment["USHER_FUZZ_CASES"] ?? "") ?? 20_000

    @Test("mutated replies end every command once, with its reply or a protocol error and a closed connection")
    func mutatedReplies() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["USHER_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max / 2)
        var random = SplitMix64(seed: seed)
        var errors = 0
        var answered = 0
        for index in 0..<Self.cases {
            let harness = try RedisChannelHandlerTests.Harness()
            let values = (0..<(1 + random.next(4))).map { _ in Self.value(&random, depth: 0) }
            var bytes = values.flatMap(Self.encode)
            let mutated = random.next(3) > 0
            if mutated { Self.mutate(&bytes, &random) }
            let replies = values.map { _ in harness.send(["PING"]) }
            var offset = 0
            while offset < bytes.count, harness.channel.isActive {
                let length = min(bytes.count - offset, 1 + random.next(16))
                try harness.channel.writeInbound(ByteBuffer(bytes: bytes[offset..<(offset + length)]))
                offset += length
            }
            let context = "seed \(seed), case \(index)"
            for reply in replies {
                #expect(reply.completions <= 1, "\(context): a command ended twice")
            }
            if replies.contains(where: { $0.errorCode == .protocolError }) {
                errors += 1
                #expect(!harness.channel.isActive, "\(context): a protocol error left the connection open")
                #expect(replies.allSatisfy { $0.completions == 1 }, "\(context): a command was left waiting after the error")
            }
            if !mutated {
                for (reply, value) in zip(replies, values) {
                    #expect(try reply.result?.get() == value, "\(context): a well-formed reply was not delivered as sent")
                }
            }
            answered += replies.filter { if case .success = $0.result { true } else { false } }.count
        }
        // The seeded mix exercises both outcomes; a generator that stopped producing either would prove nothing.
        #expect(errors > Self.cases / 20, "seed \(seed): only \(errors) protocol errors")
        #expect(answered > Self.cases, "seed \(seed): only \(answered) replies delivered")
    }

    static func value(_ random: inout SplitMix64, depth: Int) -> RedisValue {
        switch random.next(depth < 3 ? 7 : 6) {
        case 0: return .integer(Int64(random.next(2_000_000)) - 1_000_000)
        case 1: return .null
        case 2: return .status(Self.text(&random, count: random.next(12)))
        case 3: return .error(RedisError(reply: "ERR " + Self.text(&random, count: random.next(12))))
        case 4, 5: return .bulk((0..<random.next(40)).map { _ in UInt8(random.next(256)) })
        default: return .array((0..<random.next(4)).map { _ in Self.value(&random, depth: depth + 1) })
        }
    }

    static func text(_ random: inout SplitMix64, count: Int) -> String {
        String((0..<count).map { _ in Character(UnicodeScalar(UInt8(97 + random.next(26)))) })
    }

    static func encode(_ value: RedisValue) -> [UInt8] {
        switch value {
        case .integer(let n): return Array(":\(n)\r\n".utf8)
        case .null: return Array("$-1\r\n".utf8)
        case .status(let text): return Array("+\(text)\r\n".utf8)
        case .error(let error): return Array("-\(error)\r\n".utf8)
        case .bulk(let bytes): return Array("$\(bytes.count)\r\n".utf8) + bytes + Array("\r\n".utf8)
        case .array(let items): return Array("*\(items.count)\r\n".utf8) + items.flatMap(Self.encode)
        }
    }

    /// Flips, drops, duplicates or inserts bytes, or plants a lying length or type.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        for _ in 0..<(1 + random.next(3)) {
            let at = bytes.isEmpty ? 0 : random.next(bytes.count)
            switch random.next(6) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << random.next(8))
            case 1 where !bytes.isEmpty: bytes.remove(at: at)
            case 2: bytes.insert(UInt8(random.next(256)), at: at)
            case 3: bytes.insert(contentsOf: Array("$\(random.next(100))\r\n".utf8), at: at)
            case 4:
                bytes.insert(contentsOf: Array(["*-7\r\n", "$-2\r\n", ":x\r\n", "*99999999999999999999\r\n", "?\r\n"][random.next(5)].utf8), at: at)
            default: bytes = Array(bytes.prefix(at))
            }
        }
    }
}
