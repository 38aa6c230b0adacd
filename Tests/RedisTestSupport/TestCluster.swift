public import Foundation

/// A cluster of `TestRedis.withCluster`: its seeds and what a test may do to it.
public struct TestCluster: Sendable {
    /// Every node's address, the primaries' first, as the cluster was created.
    public let seeds: [String]
    let directory: URL

    /// Starts one more node and joins it as a primary without slots; returns its address.
    public func addPrimary() async throws -> String {
        let added = self.directory.appendingPathComponent("added")
        try? FileManager.default.removeItem(at: added)
        return try await Self.runForLine(["add", self.directory.path], writes: added, in: self.directory)
    }

    /// Kills the node at `address` with SIGKILL, as a crash would.
    public func kill(_ address: String) throws {
        let port = address.split(separator: ":").last.map(String.init) ?? address
        let pidFile = self.directory.appendingPathComponent("node-\(port)/redis.pid")
        guard let pid = Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestRedis.ClusterStartFailed(why: "no pid in \(pidFile.path)")
        }
        guard Foundation.kill(pid, SIGKILL) == 0 else { throw TestRedis.ClusterStartFailed(why: "kill \(pid) failed") }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/redis-cluster")

    /// Runs the script until `done`, at most 90 s. Its results are files (the seeds once the cluster is up, its
    /// directory gone once it stopped): its exit is not waited for, since a test process blocks SIGCHLD in the
    /// threads that would see it, so `Process` may never learn of it.
    static func run(_ arguments: [String], until done: () -> Bool) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script.path] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(90)
        while !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// Runs the script until it has written the line it answers with to `file`, and returns that line. A start that
    /// fails removes `directory` and says why in `directory.failed.log`.
    static func runForLine(_ arguments: [String], writes file: URL, in directory: URL) async throws -> String {
        func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }
        func line() -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }
        // The script writes the line whole, but it may not have finished writing when the file first appears.
        try await Self.run(arguments) { line().hasSuffix("\n") || !exists(directory) }
        guard line().hasSuffix("\n") else {
            let why = (try? String(contentsOfFile: directory.path + ".failed.log", encoding: .utf8)) ?? "no answer within 90 s"
            throw TestRedis.ClusterStartFailed(why: why)
        }
        return line().trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
