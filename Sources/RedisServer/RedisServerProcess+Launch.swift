internal import Foundation
internal import NIOCore
internal import RedisClient

/// Finding the executable, a free port, and whether the server that answers is ours.
extension RedisServerProcess {
    /// The pid of whatever Redis answers on the port, so a foreign server that got the port first is not mistaken
    /// for ours.
    static func serverProcessID(port: Int, password: String?) async -> Int32? {
        guard
            let connection = try? await RedisConnection.connect(
                host: "127.0.0.1",
                port: port,
                connectTimeout: .milliseconds(200),
                commandTimeout: .milliseconds(500)
            )
        else { return nil }
        let info = await Self.serverInfo(connection, password: password)
        await connection.close()
        let line = info?.split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }
        return line.flatMap { Int32($0.dropFirst("process_id:".count)) }
    }

    private static func serverInfo(_ connection: RedisConnection, password: String?) async -> String? {
        if let password {
            guard (try? await connection.send(["AUTH", password])) != nil else { return nil }
        }
        return try? await connection.send(["INFO", "server"]).string
    }

    static func locate(_ executable: String) throws -> String {
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
    static func freeLoopbackPort() throws -> Int {
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
