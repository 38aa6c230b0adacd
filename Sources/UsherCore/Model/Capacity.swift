/// How full a site (or one queue) is, at one instant.
public struct CapacityView: Sendable, Equatable, Codable {
    public struct Agents: Sendable, Equatable, Codable {
        public let available: Int
        public let away: Int
        public let draining: Int
        public let offline: Int
    }

    public struct Slots: Sendable, Equatable, Codable {
        public let total: Int
        public let chats: Int
        public let held: Int
        public let free: Int

        public init(total: Int, chats: Int, held: Int, free: Int) {
            self.total = total
            self.chats = chats
            self.held = held
            self.free = free
        }
    }

    public let agents: Agents
    public let slots: Slots
    public let waiting: Int
    /// Per queue: the wait estimate's inputs and its measured error; nil for the site as a whole.
    public let estimate: WaitEstimateStats?

    init(agents: Agents, slots: Slots, waiting: Int, estimate: WaitEstimateStats? = nil) {
        self.agents = agents
        self.slots = slots
        self.waiting = waiting
        self.estimate = estimate
    }

    enum CodingKeys: String, CodingKey {
        case agents, slots, waiting, estimate
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.agents = try container.decode(Agents.self, forKey: .agents)
        self.slots = try container.decode(Slots.self, forKey: .slots)
        self.waiting = try container.decode(Int.self, forKey: .waiting)
        self.estimate = try container.decodeIfPresent(WaitEstimateReply.self, forKey: .estimate)?.stats
    }
}

/// The capacity view of a site: the site as a whole, each queue, and the decision counters.
public struct SiteCapacity: Sendable, Equatable, Decodable {
    public let site: CapacityView
    public let queues: [String: CapacityView]
    public let counters: [String: Int]
    /// The first agents by id, with their status and load.
    public let agentLoad: [AgentLoad]

    public struct AgentLoad: Sendable, Equatable, Codable {
        public let agent: String
        /// available, away, draining or offline, as the counts use them.
        public let status: String
        public let maxChats: Int
        public let chats: Int
        public let held: Int
    }

    enum CodingKeys: String, CodingKey {
        case agents, slots, waiting, queues, counters, agentLoad
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.site = CapacityView(
            agents: try container.decode(CapacityView.Agents.self, forKey: .agents),
            slots: try container.decode(CapacityView.Slots.self, forKey: .slots),
            waiting: try container.decode(Int.self, forKey: .waiting)
        )
        self.queues = try container.decodeIfPresent([String: CapacityView].self, forKey: .queues) ?? [:]
        // cjson writes an empty table as an object; counters is a map either way.
        self.counters = try container.decodeIfPresent([String: Int].self, forKey: .counters) ?? [:]
        self.agentLoad = try container.decodeIfPresent([AgentLoad].self, forKey: .agentLoad) ?? []
    }

    /// The counters of decisions PRODUCT.md names, zero when none happened yet.
    public func counter(_ name: String) -> Int { self.counters[name] ?? 0 }
    public func counter(_ decision: DecisionCount) -> Int { self.counter(decision.rawValue) }
}

/// What a reconcile found: every counter that differed from the primary records.
public struct ReconcileReport: Sendable, Equatable, Codable {
    public struct Difference: Sendable, Equatable, Codable {
        public let what: String
        public let stored: Int
        public let actual: Int
    }

    public let drift: Int
    public let differences: [Difference]
    /// Invariants 1–3 broken on the records themselves, in words; must be empty.
    public let violations: [String]

    enum CodingKeys: String, CodingKey {
        case drift, differences, violations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.drift = try container.decode(Int.self, forKey: .drift)
        self.differences = try container.decodeIfPresent([Difference].self, forKey: .differences) ?? []
        self.violations = try container.decodeIfPresent([String].self, forKey: .violations) ?? []
    }
}
