public import Foundation
internal import NIOCore

/// A private `redis-server` child process on loopback, for running Usher without configuring Redis, and for tests
/// that must stop and start a server.
/// `Process` is not `Sendable`, but only its thread-safe members (`isRunning`, the pid) are used after launch.
public final class RedisServerProcess: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let password: String?

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

    private init(port: Int, process: Process, password: String?) {
        self.port = port
        self.password = password
        self.process = process
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
        startTimeoutSeconds: Int = 10
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
        let server = RedisServerProcess(port: port, process: process, password: password)
        let deadline = ContinuousClock.now + .seconds(startTimeoutSeconds)
        while ContinuousClock.now < deadline, process.isRunning {
            if await Self.serverProcessID(port: port, password: password) == process.processIdentifier { return server }
            try await Task.sleep(for: .milliseconds(20))
        }
        await server.stop()
        let log = (try? String(contentsOf: logFile, encoding: .utf8)).map { String($0.suffix(2_000)) } ?? ""
        throw StartError.didNotAnswer(port: port, seconds: startTimeoutSeconds, log: log)
    }

    public var processIdentifier: Int32 { self.process.processIdentifier }

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

    /// The pid of whatever Redis answers on the port, so a foreign server that got the port first is not mistaken
    /// for ours.
    private static func serverProcessID(port: Int, password: String?) async -> Int32? {
        guard
            let connection = try? await RedisConnection.connect(
                host: "127.0.0.1",
                port: port,
                connectTimeout: .milliseconds(200),
                commandTimeout: .milliseconds(500)
            )
        else { return nil }
        defer { connection.channel.close(promise: nil) }
        if let password {
            guard (try? await connection.send(["AUTH", password])) != nil else { return nil }
        }
        guard let info = try? await connection.send(["INFO", "server"]).string else { return nil }
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }
        return line.flatMap { Int32($0.dropFirst("process_id:".count)) }
    }

    private static func locate(_ executable: String) throws -> String {
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw StartError.notInstalled(searched: [executable])
            }
            return executable
        }
        // Debian installs redis-server in /usr/bin; /usr/sbin and /usr/local/bin cover the other usual homes.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
        for directory in directories {
            let candidate = directory + "/" + executable
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw StartError.notInstalled(searched: directories)
    }

    /// Asks the kernel for a free port by binding port 0. Another process could take it before redis-server binds
    /// it; start then fails clearly, because the server answering there does not have our child's pid.
    private static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
