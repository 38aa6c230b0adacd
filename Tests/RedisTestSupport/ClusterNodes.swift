public import RedisClient

/// Connections of a test's own to each node it names, with their ids: for asking a node directly and for moving a
/// slot by hand, as `redis-cli --cluster reshard` moves it.
public struct ClusterNodes: Sendable {
    public private(set) var connections: [String: RedisConnection] = [:]
    public private(set) var ids: [String: String] = [:]

    struct Missing: Error {
        let what: String
    }

    public init(_ nodes: [String]) async throws {
        for node in nodes {
            let (host, port) = try Self.address(node)
            let connection = try await RedisConnection.connect(host: host, port: port, connectTimeout: .seconds(5), commandTimeout: .seconds(5))
            self.connections[node] = connection
            self.ids[node] = try await connection.send(["CLUSTER", "MYID"]).string
        }
    }

    public func send(_ node: String, _ command: [String]) async throws -> RedisValue {
        guard let connection = self.connections[node] else { throw Missing(what: "a connection to \(node)") }
        return try await connection.send(command)
    }

    /// `host:port`, split at the last colon.
    static func address(_ node: String) throws -> (host: String, port: Int) {
        guard let colon = node.lastIndex(of: ":"), let port = Int(node[node.index(after: colon)...]) else {
            throw Missing(what: "an address in \(node)")
        }
        return (String(node[..<colon]), port)
    }

    /// The node that holds keys of `slot`.
    public func holder(of slot: Int) async throws -> String {
        for (node, connection) in self.connections where try await connection.send(["CLUSTER", "COUNTKEYSINSLOT", String(slot)]).int ?? 0 > 0 {
            return node
        }
        throw Missing(what: "a node with keys of slot \(slot)")
    }

    /// Starts moving `slot` from `source` to `target`: `SETSLOT … IMPORTING` on the target, `MIGRATING` on the source.
    public func beginMove(_ slot: Int, from source: String, to target: String) async throws {
        _ = try await self.send(target, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", self.ids[source] ?? ""])
        _ = try await self.send(source, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", self.ids[target] ?? ""])
    }

    /// Moves `keys` from `source` to `target` (`MIGRATE`).
    public func migrate(_ keys: [String], from source: String, to target: String) async throws {
        let (host, port) = try Self.address(target)
        _ = try await self.send(source, ["MIGRATE", host, String(port), "", "0", "5000", "KEYS"] + keys)
    }

    /// Ends a move: every node this has a connection to learns that `target` serves `slot` (`SETSLOT … NODE`).
    public func endMove(_ slot: Int, to target: String) async throws {
        for node in self.connections.keys { _ = try await self.send(node, ["CLUSTER", "SETSLOT", String(slot), "NODE", self.ids[target] ?? ""]) }
    }

    /// Every key of `slot` on `node` and its serialized value, to see that nothing changed.
    public func snapshot(_ node: String, slot: Int) async throws -> [String: String] {
        let keys = try await self.send(node, ["CLUSTER", "GETKEYSINSLOT", String(slot), "10000"]).array?.compactMap(\.string) ?? []
        var values: [String: String] = [:]
        for key in keys {
            let dumped = try await self.send(node, ["DUMP", key])
            values[key] = dumped.string ?? "\(dumped)"
        }
        return values
    }

    public func close() async {
        for connection in self.connections.values { await connection.close() }
    }
}
