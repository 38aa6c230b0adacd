public import Foundation
public import Logging
public import RedisClient
public import RedisServer

/// Where the integration tests find Redis: the cluster named by `USHER_TEST_REDIS_CLUSTER` (its nodes, `host:port,...`),
/// the server named by `USHER_TEST_REDIS_URL` (CI starts one), or else a private `redis-server` per test. Tests that
/// stop or restart Redis always use a private one.
public enum TestRedis {
    public static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    /// Tests run in parallel on two cores, and one of them sends 10,000 commands at once: a deadline this long
    /// keeps tests that do not test deadlines from failing on a busy machine.
    public static let commandTimeoutMilliseconds = 10_000

    /// How long a test waits for a client or an application to become ready. Generous for the same reason: it is a
    /// bound on waiting, not a timing goal (those live in benchmarks and in the *TimingTests suites).
    public static let readySeconds: Double = 30

    public static func withConfiguration<T>(_ body: (RedisConfiguration) async throws -> T) async throws -> T {
        if let seeds = ProcessInfo.processInfo.environment["USHER_TEST_REDIS_CLUSTER"], !seeds.isEmpty {
            return try await body(
                RedisConfiguration(
                    clientName: "usher-test", commandTimeoutMilliseconds: Self.commandTimeoutMilliseconds,
                    clusterSeeds: seeds.split(separator: ",").map(String.init)
                )
            )
        }
        if let url = ProcessInfo.processInfo.environment["USHER_TEST_REDIS_URL"], !url.isEmpty {
            var configuration = RedisConfiguration(clientName: "usher-test", commandTimeoutMilliseconds: Self.commandTimeoutMilliseconds)
            try configuration.apply(url: url)
            return try await body(configuration)
        }
        return try await self.withPrivateServer { server in
            try await body(
                RedisConfiguration(port: server.port, clientName: "usher-test", commandTimeoutMilliseconds: Self.commandTimeoutMilliseconds)
            )
        }
    }

    public static func withPrivateServer<T>(password: String? = nil, _ body: (RedisServerProcess) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-test-\(UUID().uuidString)")
        let server = try await RedisServerProcess.start(
            dataDirectory: directory, persistent: false, password: password, logger: Self.logger
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A Redis Cluster of three primaries of the test's own, on loopback (`scripts/redis-cluster`), each with
    /// `replicas` replicas, for the duration of `body`.
    public static func withCluster<T>(replicas: Int = 0, _ body: (_ cluster: TestCluster) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func stop() async throws { try await TestCluster.run(["stop", directory.path]) { !FileManager.default.fileExists(atPath: directory.path) } }
        do {
            let seeds = try await TestCluster.runForLine(
                ["start", directory.path, "3", String(replicas)], writes: directory.appendingPathComponent("seeds"), in: directory
            )
            let result = try await body(TestCluster(seeds: seeds.split(separator: ",").map(String.init), directory: directory))
            try await stop()
            return result
        } catch {
            try? await stop()
            throw error
        }
    }

    struct ClusterStartFailed: Error {
        let why: String
    }

    /// Runs the client as a service for the duration of `body`, once it is ready.
    public static func withClient<T: Sendable>(
        _ configuration: RedisConfiguration,
        scripts: [RedisScript] = [],
        waitUntilReady: Bool = true,
        _ body: (RedisClient) async throws -> T
    ) async throws -> T {
        let client = RedisClient(configuration: configuration, scripts: scripts, logger: self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.run()
                return nil
            }
            if waitUntilReady {
                try await self.eventually("the client connects", seconds: Self.readySeconds) { client.isReady }
            }
            let result = try await body(client)
            group.cancelAll()
            return result
        }
    }

    /// The scripts Redis has run so far (`INFO commandstats`: count them on a private server only).
    public static func scriptCalls(_ redis: RedisClient) async throws -> Int {
        let info = try await redis.send(["INFO", "commandstats"]).string ?? ""
        return info.split(whereSeparator: \.isNewline).reduce(0) { total, line in
            guard line.hasPrefix("cmdstat_evalsha:") || line.hasPrefix("cmdstat_eval:") else { return total }
            let calls = line.split(separator: ":", maxSplits: 1).last?.split(separator: ",").first?.split(separator: "=").last
            return total + (calls.flatMap { Int($0) } ?? 0)
        }
    }

    public struct Timeout: Error, CustomStringConvertible {
        let what: String
        public var description: String { "timed out waiting until \(self.what)" }
    }

    /// Polls `condition` until it holds, failing after `seconds`.
    public static func eventually(_ what: String, seconds: Double = 5, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Timeout(what: what)
    }

    /// Waits until the client refuses new commands because it is shutting down. The probe is an empty pipeline: it is
    /// refused or admitted like any command but sends nothing, so it never queues behind a command in flight (with one
    /// connection up, a PING would).
    public static func eventuallyShuttingDown(_ client: RedisClient) async throws {
        try await self.eventually("the client refuses new commands") {
            do throws(RedisError) {
                _ = try await client.pipeline([])
                return false
            } catch {
                return error.code == .shuttingDown
            }
        }
    }

    /// A key prefix of its own for each test, so tests sharing CI's Redis never see each other's keys.
    public static func prefix() -> String { "usher-test:\(UUID().uuidString):" }
}

/// Holds the servers a test starts from inside a `@Sendable` closure, so all of them are stopped however it ends.
public final class PrivateServers: @unchecked Sendable {
    private let lock = NSLock()
    private var servers: [RedisServerProcess] = []

    public init() {}

    public func start(port: Int? = nil, dataDirectory: URL) async throws -> RedisServerProcess {
        let server = try await RedisServerProcess.start(
            port: port, dataDirectory: dataDirectory, persistent: false, logger: TestRedis.logger
        )
        self.lock.withLock { self.servers.append(server) }
        return server
    }

    public func stopAll() async {
        for server in self.lock.withLock({ self.servers }) {
            await server.stop()
        }
    }
}
