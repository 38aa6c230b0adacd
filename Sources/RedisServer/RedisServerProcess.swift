public import Foundation
public import Logging
internal import NIOCore
internal import RedisClient
public import ServiceLifecycle

/// A private `redis-server` child process on loopback, for running Usher without configuring Redis, and for tests
/// that must stop and start a server.
///
/// `start` launches it and returns once it answers, so its port is known before the services that use it are built.
/// Run as a `Service`, it keeps the server up until graceful shutdown and then stops it; listed in a `ServiceGroup`
/// before the services that use it, it stops after them, because a group shuts its services down in reverse order.
/// `Process` is not `Sendable`, but only its thread-safe members (`isRunning`, the pid) are used after launch.
public final class RedisServerProcess: Service, @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let password: String?
    private let logger: Logger

    public enum StartError: Error, CustomStringConvertible {
        case notInstalled(searched: [String])
        case didNotAnswer(port: Int, seconds: Int, log: String)

        public var description: String {
            switch self {
            case .notInstalled(let searched):
                "redis-server was not found (looked in \(searched.joined(separator: ", "))). Install it with "
                    + "`apt-get install redis-server`, or point Usher at a Redis with --redis-url / USHER_REDIS_URL."
            case .didNotAnswer(let port, let seconds, let log):
                "redis-server on port \(port) did not answer within \(seconds) s. Its last words:\n\(log)"
            }
        }
    }

    private init(port: Int, process: Process, password: String?, logger: Logger) {
        self.port = port
        self.password = password
        self.process = process
        self.logger = logger
    }

    /// Starts `redis-server` bound to 127.0.0.1 and waits until it answers.
    /// - Parameters:
    ///   - port: the port to use; `nil` picks a free one.
    ///   - persistent: append-only file on (the embedded default) or no persistence at all (tests).
    ///   - password: set as `requirepass`, so clients must `AUTH`.
    public static func start(
        executable: String = "redis-server",
        port: Int? = nil,
        dataDirectory: URL,
        persistent: Bool,
        password: String? = nil,
        startTimeoutSeconds: Int = 10,
        logger: Logger
    ) async throws -> RedisServerProcess {
        let path = try Self.locate(executable)
        let port = try port ?? Self.freeLoopbackPort()
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let logFile = dataDirectory.appendingPathComponent("redis.log")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments =
            [
                "--bind", "127.0.0.1",
                "--port", String(port),
                "--dir", dataDirectory.path,
                "--daemonize", "no",
                "--protected-mode", "yes",
                "--save", "",
                "--appendonly", persistent ? "yes" : "no",
                "--logfile", logFile.path,
            ] + (password.map { ["--requirepass", $0] } ?? [])
        // Redis writes to its log file; an inherited stdout would keep a parent's pipe open after the parent died.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = RedisServerProcess(port: port, process: process, password: password, logger: logger)
        let deadline = ContinuousClock.now + .seconds(startTimeoutSeconds)
        while ContinuousClock.now < deadline, process.isRunning {
            if await Self.serverProcessID(port: port, password: password) == process.processIdentifier {
                logger.info("started a private redis-server", metadata: ["redis.port": "\(port)", "redis.dir": "\(dataDirectory.path)"])
                return server
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        await server.stop()
        let log = (try? String(contentsOf: logFile, encoding: .utf8)).map { String($0.suffix(2_000)) } ?? ""
        throw StartError.didNotAnswer(port: port, seconds: startTimeoutSeconds, log: log)
    }

    public var processIdentifier: Int32 { self.process.processIdentifier }

    /// Waits for graceful shutdown (or cancellation), then stops the server.
    public func run() async {
        try? await gracefulShutdown()
        self.logger.info("stopping the private redis-server", metadata: ["redis.port": "\(self.port)"])
        // In a task of its own: a cancelled group must still wait for the server to exit, and that wait is made of
        // sleeps that cancellation would cut short.
        await Task { await self.stop() }.value
    }

    /// Stops the server with `SHUTDOWN` (it flushes its append-only file first) and waits for it to exit; SIGKILL
    /// after `timeoutSeconds`. A command rather than SIGTERM, because a child started from a thread that blocks
    /// signals (libdispatch's workers do) inherits that mask and would never see the SIGTERM.
    public func stop(timeoutSeconds: Int = 10) async {
        guard self.process.isRunning else { return }
        if let connection = try? await RedisConnection.connect(
            host: "127.0.0.1",
            port: self.port,
            connectTimeout: .milliseconds(500),
            commandTimeout: .seconds(Int64(timeoutSeconds))
        ) {
            if let password {
                _ = try? await connection.send(["AUTH", password])
            }
            _ = try? await connection.send(["SHUTDOWN"])  // no reply: the server closes the connection as it exits
            await connection.close()
        }
        if await self.exited(within: .seconds(timeoutSeconds)) { return }
        kill(self.process.processIdentifier, SIGKILL)
        _ = await self.exited(within: .seconds(timeoutSeconds))
    }

    private func exited(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !self.process.isRunning
    }
}
