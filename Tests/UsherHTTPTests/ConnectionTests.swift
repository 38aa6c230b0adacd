import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import RedisTestSupport
import Testing
import UsherHTTP

@Suite("connections")
struct ConnectionTests {
    /// Opens a connection to the server, sends `bytes`, and tells whether the server closed it within `seconds`.
    static func closedByServer(port: Int, sending bytes: String, within seconds: Int) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "localhost", port: port).get()
        if !bytes.isEmpty {
            try await channel.writeAndFlush(ByteBuffer(string: bytes)).get()
        }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return false
            }
            let closed = try await group.next() ?? false
            // Either way the other task must end: closing ends the wait for the close, cancelling ends the sleep.
            group.cancelAll()
            if !closed { try? await channel.close() }
            return closed
        }
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
}
