/// Which primary serves each hash slot, as the cluster last told it (`CLUSTER SHARDS` or `CLUSTER SLOTS`, then
/// each `MOVED`).
struct SlotMap: Sendable, Equatable {
    /// A node's address.
    struct Node: Hashable, Sendable, CustomStringConvertible {
        let host: String
        let port: Int

        var description: String { "\(self.host):\(self.port)" }

        /// `host:port`, as `MOVED` and `ASK` name a node and as seeds are configured (the port after the last `:`).
        init?(_ text: some StringProtocol) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), port > 0, port < 65_536 else {
                return nil
            }
            let host = text[..<colon].trimmingPrefix("[")
            self.init(host: String(host.hasSuffix("]") ? host.dropLast() : host[...]), port: port)
        }

        init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The primaries, each once, in the order their first slot comes.
    private(set) var primaries: [Node] = []
    /// Per slot, its primary's index in `primaries`; `unowned` for a slot no primary serves.
    private var slotOwners = [UInt16](repeating: Self.unowned, count: HashSlot.count)
    private static let unowned = UInt16.max

    init() {}

    /// Reads a `CLUSTER SLOTS` reply: `[start, end, [host, port, id, ...], replicas...]` per range. A primary whose
    /// host is empty (it does not know its own address) is `asked`'s host, the node that answered.
    init(slots reply: RedisValue, asked: Node) throws(RedisError) {
        guard case .array(let ranges) = reply else { throw .protocolError("CLUSTER SLOTS returned \(reply)") }
        for range in ranges {
            guard case .array(let fields) = range, fields.count >= 3, case .integer(let start) = fields[0],
                case .integer(let end) = fields[1], case .array(let primary) = fields[2], primary.count >= 2,
                let host = primary[0].string, case .integer(let port) = primary[1],
                start >= 0, start <= end, end < HashSlot.count
            else {
                throw .protocolError("CLUSTER SLOTS returned the range \(range)")
            }
            let node = Node(host: host.isEmpty || host == "?" ? asked.host : host, port: Int(port))
            for slot in Int(start)...Int(end) { self.assign(slot, to: node) }
        }
    }

    /// Reads a `CLUSTER SHARDS` reply (Redis 7.0 and later): per shard `slots` (pairs of first and last slot) and
    /// `nodes`, each a map with `role`, `health`, `endpoint` (else `ip`) and `port`; the shard's primary serves its
    /// slots. A shard without slots, or without a primary it names, serves none. An endpoint that is empty or `?` (the node
    /// does not know its own address) is `asked`'s host.
    init(shards reply: RedisValue, asked: Node) throws(RedisError) {
        guard case .array(let shards) = reply else { throw .protocolError("CLUSTER SHARDS returned \(reply)") }
        var ranges: [(first: Int, last: Int, node: Node)] = []
        for shard in shards {
            let fields = try Self.fields(shard)
            guard case .array(let bounds)? = fields["slots"], case .array(let nodes)? = fields["nodes"], bounds.count % 2 == 0 else {
                throw .protocolError("CLUSTER SHARDS returned the shard \(shard)")
            }
            // A shard may list its failed former primary beside the one that took over: the one online serves.
            let primaries = try nodes.map(Self.fields).filter { $0["role"]?.string == "master" }
            guard let primary = primaries.first(where: { $0["health"]?.string == "online" }) ?? primaries.first, !bounds.isEmpty else {
                continue
            }
            let host = primary["endpoint"]?.string ?? primary["ip"]?.string ?? ""
            guard case .integer(let port)? = primary["port"], port > 0, port < 65_536 else {
                throw .protocolError("CLUSTER SHARDS returned the node \(primary)")
            }
            let node = Node(host: host.isEmpty || host == "?" ? asked.host : host, port: Int(port))
            for index in stride(from: 0, to: bounds.count, by: 2) {
                guard case .integer(let first) = bounds[index], case .integer(let last) = bounds[index + 1], first >= 0, first <= last,
                    last < HashSlot.count
                else {
                    throw .protocolError("CLUSTER SHARDS returned the slots \(bounds)")
                }
                ranges.append((Int(first), Int(last), node))
            }
        }
        // In slot order, as CLUSTER SLOTS lists them, so that both replies give the same map.
        for range in ranges.sorted(by: { $0.first < $1.first }) {
            for slot in range.first...range.last { self.assign(slot, to: range.node) }
        }
    }

    /// A RESP2 map: alternating names and values.
    private static func fields(_ value: RedisValue) throws(RedisError) -> [String: RedisValue] {
        guard case .array(let flat) = value, flat.count % 2 == 0 else { throw .protocolError("CLUSTER SHARDS returned \(value)") }
        var fields: [String: RedisValue] = [:]
        for index in stride(from: 0, to: flat.count, by: 2) {
            guard let name = flat[index].string else { throw .protocolError("CLUSTER SHARDS returned the name \(flat[index])") }
            fields[name] = flat[index + 1]
        }
        return fields
    }

    func node(for slot: Int) -> Node? {
        let owner = self.slotOwners[slot]
        return owner == Self.unowned ? nil : self.primaries[Int(owner)]
    }

    /// True when every slot has a primary.
    var coversAll: Bool { !self.slotOwners.contains(Self.unowned) }

    /// The primaries that serve a slot now (`primaries` may still name one that a `MOVED` took every slot from).
    var owners: Set<Node> { Set(Set(self.slotOwners).compactMap { $0 == Self.unowned ? nil : self.primaries[Int($0)] }) }

    /// Records that `node` now serves `slot`, as a `MOVED` says.
    mutating func assign(_ slot: Int, to node: Node) {
        let index: Int
        if let known = self.primaries.firstIndex(of: node) {
            index = known
        } else {
            index = self.primaries.count
            self.primaries.append(node)
        }
        self.slotOwners[slot] = UInt16(index)
    }
}
