import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import RedisTestSupport
import Synchronization
import Testing
import UsherHTTP

@Suite("connections")
struct ConnectionTests {
    /// Opens a connection to the server, sends `bytes`, and tells whether the server closed it within `seconds`.
    static func closedByServer(port: Int, sending bytes: String, within seconds: Int) async throws -> Bool {
        try await Self.exchange(port: port, sending: bytes, seconds: seconds).closed
    }

    @Test("the server closes a connection that sends nothing, half a request head, or nothing after its request, once the idle timeout passes")
    func idleConnectionsClose() async throws {
        try await TestRedis.withConfiguration { redis in
            var configuration = API.configuration(redis: redis)
            configuration.idleTimeoutSeconds = 1
            let app = buildApplication(configuration: configuration)
            try await app.test(.live) { client in
                // First, while the test client's own connection is fresh: the idle timeout closes it too.
                #expect(try await client.execute(uri: "/healthz", method: .get) { $0.status } == .ok)
                let port = try #require(client.port)
                let silent = try await Self.closedByServer(port: port, sending: "", within: 10)
                #expect(silent, "a silent connection stayed open")
                let slowHead = try await Self.closedByServer(port: port, sending: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n", within: 10)
                #expect(slowHead, "a connection that never finished its request head stayed open")
                let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                let afterRequest = try await Self.closedByServer(port: port, sending: request, within: 10)
                #expect(afterRequest, "a kept-alive connection stayed open after its request")
            }
        }
    }

    /// Sends `bytes` on a fresh connection and returns what the server answered before it closed or `seconds` passed,
    /// and whether it closed.
    static func exchange(port: Int, sending bytes: String, seconds: Int = 5) async throws -> (answer: String, closed: Bool) {
        try await Self.exchange(port: port, sending: [bytes], every: .zero, seconds: seconds)
    }

    /// Sends `pieces` on a fresh connection, `pause` apart, until the server closes it; returns what the server
    /// answered before it closed or `seconds` passed (counted from the first piece), and whether it closed.
    static func exchange(
        port: Int, sending pieces: [String], every pause: Duration, seconds: Int
    ) async throws -> (answer: String, closed: Bool) {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.pipeline.addHandler(collector) }
            .connect(host: "127.0.0.1", port: port).get()
        let closed = try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask {
                try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return false
            }
            group.addTask {
                for (index, piece) in pieces.enumerated() where channel.isActive {
                    if index > 0 { try await Task.sleep(for: pause) }
                    // The server may close before it has read everything: that is one of the answers allowed.
                    if !piece.isEmpty { try? await channel.writeAndFlush(ByteBuffer(string: piece)).get() }
                }
                return nil
            }
            // The sender may finish first; the close or the sleep decides.
            var closed = false
            while let result = try await group.next() {
                guard let result else { continue }
                closed = result
                break
            }
            // Whichever came first, the others must end: cancelling ends the sleeps, and only closing ends the wait
            // for the close (a future's wait does not heed cancellation).
            group.cancelAll()
            if !closed { try? await channel.close() }
            return closed
        }
        return (collector.text.withLock { $0 }, closed)
    }

    /// Everything the server sent on one connection.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text = Mutex("")

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            self.text.withLock { $0 += String(buffer: buffer) }
        }
    }

    @Test("malformed request lines and headers, and bodies that lie about their length, get a 4xx or a closed connection while others are answered")
    func malformedRequests() async throws {
        try await TestRedis.withConfiguration { redis in
            var configuration = API.configuration(redis: redis)
            configuration.idleTimeoutSeconds = 2
            let app = buildApplication(configuration: configuration)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                // A fresh connection each time: the test client's own one goes with the idle timeout.
                func healthy() async throws -> Bool {
                    try await Self.exchange(port: port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .answer.hasPrefix("HTTP/1.1 200")
                }
                let hostile = [
                    "GARBAGE\r\n\r\n",
                    "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
                    "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
                    "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                    "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
                    "POST /v1/sites/s/invitations HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"visitor\":",
                    "POST /v1/sites/s/invitations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}GARBAGE\r\n\r\n",
                    "POST /v1/sites/s/invitations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n",
                    "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /healthz HTTP/1.1\r\n" + String(repeating: "X-Junk: " + String(repeating: "j", count: 1_000) + "\r\n", count: 200) + "\r\n",
                ]
                // Each gets a 4xx/5xx-free answer or a closed connection; none may take the server down.
                for bytes in hostile {
                    let answer = try await Self.exchange(port: port, sending: bytes).answer
                    let status = answer.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
                    #expect(!status.hasPrefix("5"), "\(bytes.prefix(60)) got \(answer.prefix(80))")
                    #expect(try await healthy(), "the server stopped answering after \(bytes.prefix(60))")
                }
                // Many idle connections hold nothing others need, and go once the idle timeout passes.
                var idle: [any Channel] = []
                for _ in 0..<200 {
                    idle.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get())
                }
                #expect(try await healthy(), "200 idle connections kept others out")
                try await TestRedis.eventually("the idle connections are closed by the server", seconds: 20) {
                    idle.allSatisfy { !$0.isActive }
                }
            }
        }
    }

    /// Each character of `text` as a piece of its own.
    static func bytes(_ text: String) -> [String] { text.map { String($0) } }

    @Test("a client that drips its request body or head past the request read deadline gets 408 or a closed connection while others are answered")
    func slowSendersAreCut() async throws {
        try await TestRedis.withConfiguration { redis in
            var configuration = API.configuration(redis: redis)
            configuration.requestReadTimeoutSeconds = 1
            // Long, so only the request read deadline can explain a close.
            configuration.idleTimeoutSeconds = 60
            let app = buildApplication(configuration: configuration)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                // 100 bytes 200 ms apart take 20 s to arrive; the deadline plus generous slack is 8 s.
                let slowBody = Task {
                    let head =
                        "PUT /v1/sites/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(API.adminToken)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                    return try await Self.exchange(
                        port: port, sending: [head] + Self.bytes(String(repeating: " ", count: 100)), every: .milliseconds(200), seconds: 8
                    )
                }
                let slowHead = Task {
                    let head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + String(repeating: "s", count: 100) + "\r\n\r\n"
                    return try await Self.exchange(port: port, sending: Self.bytes(head), every: .milliseconds(200), seconds: 8)
                }
                // A request in time, then on the same connection one that drips: the first one's timer is still
                // running when the second starts, and must not spare it.
                let slowSecond = Task {
                    let second = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + String(repeating: "s", count: 100) + "\r\n\r\n"
                    return try await Self.exchange(
                        port: port, sending: ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"] + Self.bytes(second), every: .milliseconds(200),
                        seconds: 8
                    )
                }
                for _ in 0..<3 {
                    let answer = try await Self.exchange(port: port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    #expect(answer.answer.hasPrefix("HTTP/1.1 200"), "another client was not answered while slow ones dripped")
                    try await Task.sleep(for: .milliseconds(500))
                }
                let body = try await slowBody.value
                #expect(body.closed, "a client dripping its body held its connection")
                // Nothing was answered yet, so the server can say why it closes.
                #expect(body.answer.hasPrefix("HTTP/1.1 408"), "\(body.answer.prefix(80))")
                #expect(body.answer.contains(#""code":"request_timeout""#), "\(body.answer)")
                let head = try await slowHead.value
                #expect(head.closed, "a client dripping its request head held its connection")
                #expect(head.answer.isEmpty || head.answer.hasPrefix("HTTP/1.1 408"), "\(head.answer.prefix(80))")
                let second = try await slowSecond.value
                #expect(second.closed, "a kept-alive client dripping its second request held its connection")
                #expect(second.answer.hasPrefix("HTTP/1.1 200"), "\(second.answer.prefix(80))")
            }
        }
    }

    @Test("the request read deadline spares a request that arrives in time, a kept-alive pause between requests and a stream that outlasts it")
    func requestReadDeadlineSparesTheRest() async throws {
        try await TestRedis.withConfiguration { redis in
            var configuration = API.configuration(redis: redis)
            configuration.requestReadTimeoutSeconds = 1
            configuration.idleTimeoutSeconds = 60
            configuration.observation.streamMaxSeconds = 4
            let app = buildApplication(configuration: configuration)
            try await app.test(.live) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
                }
                let port = try #require(client.port)
                let site = "spared-" + UUID().uuidString.prefix(8).lowercased()
                let auth = "Authorization: Bearer \(API.adminToken)\r\n"
                let body = "{}"
                let put =
                    "PUT /v1/sites/\(site) HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                // The body a moment after the head, well inside the deadline.
                let inTime = try await Self.exchange(port: port, sending: [put, body], every: .milliseconds(300), seconds: 10)
                #expect(inTime.answer.hasPrefix("HTTP/1.1 201"), "\(inTime.answer.prefix(80))")
                // A kept-alive connection waits for its next request under the idle timeout, not the deadline.
                let get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                let last = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                let keptAlive = try await Self.exchange(port: port, sending: [get, last], every: .seconds(3), seconds: 15)
                #expect(keptAlive.answer.components(separatedBy: "HTTP/1.1 200").count == 3, "\(keptAlive.answer)")
                // A stream is a response: however long it runs, the deadline does not cut it; it ends on its own.
                let stream = "GET /v1/sites/\(site)/capacity/stream HTTP/1.1\r\nHost: x\r\n\(auth)Connection: close\r\n\r\n"
                let streamed = try await Self.exchange(port: port, sending: stream, seconds: 20)
                #expect(streamed.answer.hasPrefix("HTTP/1.1 200"), "\(streamed.answer.prefix(80))")
                #expect(streamed.answer.contains(": heartbeat"), "\(streamed.answer)")
                #expect(streamed.answer.hasSuffix("0\r\n\r\n"), "the stream was cut: \(streamed.answer.suffix(80))")
            }
        }
    }
}
