import Foundation
import RedisClient
import RedisServer
import RedisTestSupport
import ServiceLifecycle
import Testing

/// The private redis-server as `usher serve` runs it: a service listed before the services that use it.
@Suite("private redis-server as a service")
struct RedisServerProcessTests {
    @Test("at graceful shutdown the server stays up until the services after it have stopped, then exits")
    func stopsAfterItsUsers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-service-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await RedisServerProcess.start(dataDirectory: directory, persistent: false, logger: TestRedis.logger)
        var configuration = RedisConfiguration(port: server.port, commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds)
        configuration.drainTimeoutMilliseconds = 30_000
        configuration.poolSize = 1
        let client = RedisClient(configuration: configuration, logger: TestRedis.logger)
        let group = ServiceGroup(services: [server, client], logger: TestRedis.logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await TestRedis.eventually("the client connects", seconds: TestRedis.readySeconds) { client.isReady }
                // The client drains at shutdown: the BLPOP ends only when the RPUSH below reaches a server still running.
                async let blocked = client.send(["BLPOP", "drain", "0"])
                try await TestRedis.eventually("BLPOP is in flight") { client.inFlight == 1 }
                await group.triggerGracefulShutdown()
                try await TestRedis.eventuallyShuttingDown(client)
                let other = try await RedisConnection.connect(
                    host: "127.0.0.1", port: server.port, connectTimeout: .seconds(5), commandTimeout: .seconds(5)
                )
                _ = try await other.send(["RPUSH", "drain", "drained"])
                await other.close()
                #expect(try await blocked.array?.last?.string == "drained")
                try await tasks.waitForAll()
            }
        } catch {
            await server.stop()
            throw error
        }
        #expect(kill(server.processIdentifier, 0) == -1, "the server still runs after the group stopped")
    }
}
