/// Which primary serves each hash slot, as the cluster last told it (`CLUSTER SLOTS`, then each `MOVED`).
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
