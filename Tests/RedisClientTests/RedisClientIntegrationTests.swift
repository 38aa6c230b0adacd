import Foundation
import RedisTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@testable import RedisClient

/// The client against a real `redis-server`.
@Suite("Redis client against a real server")
struct RedisClientIntegrationTests {
    @Test("10,000 concurrent commands each get their own reply")
    func tenThousandConcurrent() async throws {
        try await TestRedis.withConfiguration { base in
            var configuration = base
            configuration.clientName = "usher-test-\(UUID().uuidString.prefix(8))"
            configuration.poolSize = 3
            configuration.maxInFlight = 10_000
            let name = configuration.clientName
            try await TestRedis.withClient(configuration) { client in
                let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<10_000 {
                        group.addTask { try await client.send(["ECHO", "reply-\(index)"]).string != "reply-\(index)" }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(mismatches == 0)
                let clients = try await client.send(["CLIENT", "LIST"]).string ?? ""
                #expect(clients.split(separator: "\n").filter { $0.contains(" name=\(name) ") }.count == 3)
            }
        }
    }

    @Test("a pipeline sends many commands at once and returns each reply in order, errors in place")
    func pipeline() async throws {
        try await TestRedis.withConfiguration { configuration in
            let key = TestRedis.prefix() + "pipeline"
            try await TestRedis.withClient(configuration) { client in
                let commands = (1...500).map { ["INCRBY", key, String($0)] } + [["HGET", key, "x"], ["DEL", key]]
                let replies = try await client.pipeline(commands)
                #expect(replies.count == 502)
                #expect(try replies[0].get().int == 1)
                #expect(try replies[499].get().int == 125_250)
                let wrongType = #expect(throws: RedisError.self) { try replies[500].get() }
                #expect(wrongType?.code == .server("WRONGTYPE"))
                #expect(try replies[501].get().int == 1)
            }
        }
    }

    @Test("past maxInFlight a command is refused at once, and the others still complete")
    func overloaded() async throws {
        try await TestRedis.withConfiguration { base in
            var configuration = base
            configuration.poolSize = 1
            configuration.maxInFlight = 2
            let key = TestRedis.prefix() + "release"
            try await TestRedis.withClient(configuration) { client in
                // BLPOP holds the only connection until the key is filled, so the PING behind it stays in flight too.
                async let blocked = client.send(["BLPOP", key, "0"])
                try await TestRedis.eventually("BLPOP is in flight") { client.inFlight == 1 }
                async let queued = client.send(["PING"])
                try await TestRedis.eventually("PING is in flight") { client.inFlight == 2 }
                await #expect(throws: RedisError.overloaded(limit: 2)) { try await client.send(["PING"]) }
                let other = try await RedisConnection.connect(
                    host: configuration.host,
                    port: configuration.port,
                    connectTimeout: .seconds(1),
                    commandTimeout: .seconds(5)
                )
                _ = try await other.send(["SELECT", String(configuration.database)])
                _ = try await other.send(["RPUSH", key, "released"])
                await other.close()
                #expect(try await blocked.array?.last?.string == "released")
                #expect(try await queued.string == "PONG")
                #expect(client.inFlight == 0)
            }
        }
    }

    @Test("every connection authenticates, selects the database and names itself")
    func handshake() async throws {
        try await TestRedis.withPrivateServer(password: "s3cret") { server in
            let configuration = RedisConfiguration(
                port: server.port,
                password: "s3cret",
                database: 5,
                clientName: "usher-handshake",
                poolSize: 2,
                commandTimeoutMilliseconds: TestRedis.commandTimeoutMilliseconds
            )
            try await TestRedis.withClient(configuration) { client in
                _ = try await client.send(["SET", "where", "db5"])
                // Ready means one connection is up; the second may still be in its handshake.
                try await TestRedis.eventually("both connections are up") {
                    let clients = (try? await client.send(["CLIENT", "LIST"]).string) ?? ""
                    let ours = clients.split(separator: "\n").filter { $0.contains(" name=usher-handshake ") }
                    return ours.count == 2 && ours.allSatisfy { $0.contains(" db=5 ") }
                }
            }
            var elsewhere = configuration
            elsewhere.database = 0
            try await TestRedis.withClient(elsewhere) { client in
                let value = try await client.send(["GET", "where"])
                #expect(value.isNull)
            }
        }
    }

    @Test("with a wrong password the client never becomes ready and commands fail at once")
    func wrongPassword() async throws {
        try await TestRedis.withPrivateServer(password: "right") { server in
            let configuration = RedisConfiguration(port: server.port, password: "wrong", reconnectMaxMilliseconds: 100)
            try await TestRedis.withClient(configuration, waitUntilReady: false) { client in
                try await Task.sleep(for: .milliseconds(500))
                #expect(!client.isReady)
                await #expect(throws: RedisError.notConnected) { try await client.send(["PING"]) }
            }
        }
    }

    @Test("scripts run by EVALSHA and survive SCRIPT FLUSH")
    func scriptFlush() async throws {
        let script = RedisScript(name: "add", source: "return redis.call('INCRBY', KEYS[1], ARGV[1])")
        try await TestRedis.withConfiguration { configuration in
            let key = TestRedis.prefix() + "counter"
            try await TestRedis.withClient(configuration, scripts: [script]) { client in
                #expect(try await client.evalScript(script, keys: [key], arguments: ["2"]).int == 2)
                _ = try await client.send(["SCRIPT", "FLUSH"])
                #expect(try await client.evalScript(script, keys: [key], arguments: ["3"]).int == 5)
                // The fallback cached the script again, so the next call is a plain EVALSHA hit.
                let sha = try await client.send(["SCRIPT", "LOAD", script.source]).string ?? ""
                let exists = try await client.send(["SCRIPT", "EXISTS", sha]).array
                #expect(exists == [.integer(1)])
                _ = try await client.send(["DEL", key])
            }
        }
    }

    @Test("a Redis restart fails in-flight commands clearly and the client recovers by itself")
    func restartDuringTraffic() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let servers = PrivateServers()
        let port = try await servers.start(dataDirectory: directory).port
        let configuration = RedisConfiguration(port: port, poolSize: 2, reconnectMaxMilliseconds: 500)
        let outcome: Traffic
        do {
            outcome = try await TestRedis.withClient(configuration) { client in
                try await withThrowingTaskGroup(of: Traffic.self) { group in
                    let stop = StopFlag()
                    for worker in 0..<8 {
                        group.addTask { await Traffic.run(client: client, key: "restart:\(worker)", until: stop) }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                    await servers.stopAll()
                    try await Task.sleep(for: .milliseconds(300))
                    _ = try await servers.start(port: port, dataDirectory: directory)
                    try await TestRedis.eventually("the client is back", seconds: 5) {
                        (try? await client.send(["PING"]))?.string == "PONG"
                    }
                    try await Task.sleep(for: .milliseconds(200))
                    stop.set()
                    return try await group.reduce(into: Traffic()) { $0.merge($1) }
                }
            }
        } catch {
            await servers.stopAll()
            throw error
        }
        await servers.stopAll()
        #expect(outcome.unexpectedErrors.isEmpty, "error replies, where only commands without a reply were expected: \(outcome.unexpectedErrors)")
        #expect(outcome.clientErrors > 0, "stopping Redis failed no command")
        #expect(outcome.successesAfterFailure > 0, "no command succeeded after the restart")
    }

    @Test("graceful shutdown lets commands in flight finish and refuses new ones")
    func gracefulShutdownDrains() async throws {
        try await TestRedis.withConfiguration { base in
            var configuration = base
            configuration.drainTimeoutMilliseconds = 30_000
            configuration.poolSize = 1  // the BLPOP holds the only connection, as it may when one is still connecting
            let client = RedisClient(configuration: configuration, logger: TestRedis.logger)
            let group = ServiceGroup(services: [client], logger: TestRedis.logger)
            let key = TestRedis.prefix() + "drain"
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await TestRedis.eventually("the client connects") { client.isReady }
                // BLPOP cannot finish by itself: only the RPUSH below, sent once the drain has begun, ends it.
                async let blocked = client.send(["BLPOP", key, "0"])
                try await TestRedis.eventually("BLPOP is in flight") { client.inFlight == 1 }
                await group.triggerGracefulShutdown()
                try await TestRedis.eventuallyShuttingDown(client)
                await #expect(throws: RedisError.shuttingDown) { try await client.send(["PING"]) }
                let other = try await RedisConnection.connect(
                    host: configuration.host, port: configuration.port, connectTimeout: .seconds(5), commandTimeout: .seconds(5)
                )
                _ = try await other.send(["SELECT", String(configuration.database)])
                _ = try await other.send(["RPUSH", key, "drained"])
                await other.close()
                #expect(try await blocked.array?.last?.string == "drained")
                try await tasks.waitForAll()
            }
        }
    }
}

/// Deadlines measured in wall-clock time: `scripts/test` runs the *TimingTests suites on their own, before the rest,
/// so that a machine busy with the parallel suite cannot stretch them.
@Suite("Redis client deadlines")
struct RedisDeadlineTimingTests {
    @Test("a command against a stopped Redis fails within its deadline")
    func stoppedRedis() async throws {
        try await TestRedis.withPrivateServer { server in
            let configuration = RedisConfiguration(port: server.port, commandTimeoutMilliseconds: 300)
            try await TestRedis.withClient(configuration) { client in
                // A hung server (SIGSTOP): the command is sent and the deadline must end the wait.
                kill(server.processIdentifier, SIGSTOP)
                let started = ContinuousClock.now
                await #expect(throws: RedisError.timeout) { try await client.send(["PING"]) }
                let waited = ContinuousClock.now - started
                kill(server.processIdentifier, SIGCONT)
                #expect(waited >= .milliseconds(300))
                #expect(waited < .milliseconds(1_300))

                // A server that is gone: nothing to send to, so the command fails without waiting.
                try await TestRedis.eventually("the client reconnects after the timeout") { client.isReady }
                await server.stop()
                let stoppedAt = ContinuousClock.now
                let error = await #expect(throws: RedisError.self) { try await client.send(["PING"]) }
                #expect(error?.gotNoReply == true, "an error reply: \(String(describing: error))")
                #expect(ContinuousClock.now - stoppedAt < .milliseconds(1_300))
            }
        }
    }
}

/// What a loop of commands saw while Redis was restarted under it.
struct Traffic: Sendable {
    var clientErrors = 0
    var successesAfterFailure = 0
    var unexpectedErrors: [String] = []

    mutating func merge(_ other: Traffic) {
        self.clientErrors += other.clientErrors
        self.successesAfterFailure += other.successesAfterFailure
        self.unexpectedErrors += other.unexpectedErrors
    }

    static func run(client: RedisClient, key: String, until stop: StopFlag) async -> Traffic {
        var traffic = Traffic()
        while !stop.isSet {
            do {
                _ = try await client.send(["INCR", key])
                if traffic.clientErrors > 0 { traffic.successesAfterFailure += 1 }
            } catch let error where error.gotNoReply {
                traffic.clientErrors += 1
                try? await Task.sleep(for: .milliseconds(5))
            } catch {
                traffic.unexpectedErrors.append("\(error)")
            }
        }
        return traffic
    }
}

extension RedisError {
    /// The command got no reply, rather than an error reply from Redis.
    var gotNoReply: Bool {
        if case .server = self.code { false } else { true }
    }
}

final class StopFlag: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { self.flag.withLock { $0 } }

    func set() { self.flag.withLock { $0 = true } }
}
