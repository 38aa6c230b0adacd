import Benchmark
import Foundation
import Logging
import RedisClient

// Throughput of the client against a real Redis at USHER_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
// One iteration sends `Load.commandsPerIteration` commands at once through the pool: the same kind of load as
// `redis-benchmark -c 64 -P 16` (1,024 commands in flight), which scripts/bench runs beside it for comparison.

enum Load {
    static let commandsPerIteration = 1_000
    static let script = RedisScript(name: "bench-incr", source: "return redis.call('INCR', KEYS[1])")
}

/// The client under test, started once for all benchmarks of this target.
final class Harness: @unchecked Sendable {
    static let shared = Harness()
    private(set) var client: RedisClient?
    private var task: Task<Void, any Error>?

    func start() async throws {
        var configuration = RedisConfiguration(clientName: "usher-bench")
        try configuration.apply(url: ProcessInfo.processInfo.environment["USHER_BENCH_REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let client = RedisClient(configuration: configuration, scripts: [Load.script], logger: logger)
        self.task = Task { try await client.run() }
        let deadline = ContinuousClock.now + .seconds(5)
        while !client.isReady {
            guard ContinuousClock.now < deadline else { throw RedisError.notConnected }
            try await Task.sleep(for: .milliseconds(10))
        }
        self.client = client
    }

    func stop() {
        self.task?.cancel()
    }

    /// Sends one iteration's commands concurrently and waits for every reply.
    func burst(_ command: @escaping @Sendable (RedisClient) async throws -> RedisValue) async throws {
        guard let client else { throw RedisError.notConnected }
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<Load.commandsPerIteration {
                group.addTask { _ = try await command(client) }
            }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 2_000
    )
    Benchmark.setup = { try await Harness.shared.start() }
    Benchmark.teardown = { Harness.shared.stop() }

    Benchmark("PING x1000 concurrent") { _ in
        try await Harness.shared.burst { try await $0.send(["PING"]) }
    }

    // The same thousand PINGs from one caller as one pipeline: the client's own cost without a task per command.
    Benchmark("PING x1000 pipelined by one caller") { _ in
        guard let client = Harness.shared.client else { throw RedisError.notConnected }
        let replies = try await client.pipeline(Array(repeating: ["PING"], count: Load.commandsPerIteration))
        guard replies.count == Load.commandsPerIteration else { throw RedisError.connectionClosed }
    }

    Benchmark("EVALSHA x1000 concurrent") { _ in
        try await Harness.shared.burst { try await $0.evalScript(Load.script, keys: ["usher-bench:counter"], arguments: []) }
    }
}
