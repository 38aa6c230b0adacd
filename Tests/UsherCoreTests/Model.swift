import RedisTestSupport
import UsherCore

/// The rules of PRODUCT.md in plain Swift, for the randomized check: what every decision should be, given
/// everything that happened before it.
struct Model {
    enum PollOutcome: Equatable {
        /// `id` is the invitation the visitor already holds, nil for a new one.
        case invite(String?)
        case withhold(WithholdReason)
    }

    struct Agent {
        var status: PresenceUpdate.Status
        var maxChats: Int
        var queues: [String]
        var chats = 0
        var held = 0

        var offers: Bool { self.status == .available }
        var free: Int { self.maxChats - self.chats - self.held }
    }

    struct Hold {
        let invitation: InvitationHold
        let visitor: String
        let agent: String
        var released = false

        var id: String { self.invitation.id }
    }

    struct Expected {
        let state: ChatRecord.State
        let agent: String?
        let position: Int?
        let queue: String
        let score: Double?
        /// While waiting: the slots of the agents offering in the queue, which the wait estimate divides by.
        var servingSlots: Int?

        /// Assigned chats are greeted; waiting ones are told their place, unless nobody serves the queue.
        var firstResponseKind: FirstResponse.Kind {
            if self.state == .assigned { return .greeting }
            return (self.servingSlots ?? 0) > 0 ? .queued : .unavailable
        }
    }

    let reserve: [String: Int]
    let maxWaiting: Int
    private(set) var agents: [String: Agent] = [:]
    private var holds: [String: Hold] = [:]
    private var holdOrder: [String] = []
    private var activeHoldOf: [String: String] = [:]
    private var cooled: Set<String> = []
    private var waiting: [String: [(chat: String, score: Double)]] = [:]
    private var chatAgent: [String: String] = [:]
    private var chatQueue: [String: String] = [:]
    private var chatOrder: [String] = []
    /// Each visitor's one open chat, and whose each chat is.
    private var openChat: [String: String] = [:]
    private var chatVisitor: [String: String] = [:]
    private var sequence = 0
    private var pendingIssue: (visitor: String, agent: String)?
    /// The queues websites may name: the site's configured ones, `default`, and those agents serve.
    private(set) var knownQueues: Set<String>

    init(reserve: [String: Int], maxWaiting: Int, queues: Set<String>) {
        self.reserve = reserve
        self.maxWaiting = maxWaiting
        self.knownQueues = queues.union(["default"])
    }

    // MARK: Decisions

    mutating func presence(_ id: String, status: PresenceUpdate.Status, maxChats: Int, queues: [String]) -> Int {
        self.knownQueues.formUnion(queues)
        var agent = self.agents[id] ?? Agent(status: status, maxChats: maxChats, queues: queues)
        agent.status = status
        agent.maxChats = maxChats
        agent.queues = queues
        self.agents[id] = agent
        // Holds it can no longer keep: all unless available, those of dropped queues, then the newest beyond the limit.
        var kept: [Hold] = []
        for holdID in self.holdOrder {
            guard let hold = self.holds[holdID], hold.agent == id, !hold.released else { continue }
            if status != .available || !queues.contains(hold.invitation.queue) {
                self.release(hold)
            } else {
                kept.append(hold)
            }
        }
        kept.sort { ($0.invitation.expiresAt, $0.id) < ($1.invitation.expiresAt, $1.id) }
        var over = self.agents[id]!.chats + kept.count - maxChats
        while over > 0, let newest = kept.popLast() {
            self.release(newest)
            over -= 1
        }
        self.serve(id)
        return self.agents[id]!.chats
    }

    private mutating func release(_ hold: Hold) {
        self.holds[hold.id]?.released = true
        if self.activeHoldOf[hold.visitor] == hold.id { self.activeHoldOf[hold.visitor] = nil }
        self.agents[hold.agent]!.held -= 1
    }

    mutating func poll(_ visitor: String, queue: String) -> PollOutcome {
        self.pendingIssue = nil
        if let held = self.activeHoldOf[visitor] { return .invite(held) }
        if self.openChat[visitor] != nil { return .withhold(.chatting) }
        if self.cooled.contains(visitor) { return .withhold(.cooldown) }
        if !(self.waiting[queue] ?? []).isEmpty { return .withhold(.waiting) }
        guard let agent = self.invitableAgent(queue) else { return .withhold(.noCapacity) }
        self.pendingIssue = (visitor, agent)
        return .invite(nil)
    }

    mutating func issued(_ invitation: InvitationHold) {
        guard let (visitor, agent) = self.pendingIssue else { return }
        self.pendingIssue = nil
        self.holds[invitation.id] = Hold(invitation: invitation, visitor: visitor, agent: agent)
        self.holdOrder.append(invitation.id)
        self.activeHoldOf[visitor] = invitation.id
        self.agents[agent]!.held += 1
    }

    mutating func accept(_ hold: Hold, chat: String) -> Expected {
        self.forget(hold)
        let queue = hold.invitation.queue
        if let open = self.openChat[hold.visitor] {
            // The visitor is already chatting: that chat comes back, and the hold's slot is free again.
            if !hold.released {
                self.agents[hold.agent]!.held -= 1
                self.serve(hold.agent)
            }
            return self.view(open)
        }
        self.chatVisitor[chat] = hold.visitor
        if !hold.released {
            self.agents[hold.agent]!.held -= 1
            self.assign(chat, to: hold.agent, queue: queue)
            return Expected(state: .assigned, agent: hold.agent, position: nil, queue: queue, score: nil)
        }
        if (self.waiting[queue] ?? []).isEmpty, let agent = self.invitableAgent(queue) {
            self.assign(chat, to: agent, queue: queue)
            return Expected(state: .assigned, agent: agent, position: nil, queue: queue, score: nil)
        }
        // Behind everyone already waiting: a reactive request's place, without priority.
        let expected = self.plannedWait(queue: queue, score: 2e13 + 9e12)
        self.enqueue(chat, expected)
        return expected
    }

    /// An open chat as the scripts show it now.
    func view(_ chat: String) -> Expected {
        let queue = self.chatQueue[chat]!
        if let agent = self.chatAgent[chat] {
            return Expected(state: .assigned, agent: agent, position: nil, queue: queue, score: nil)
        }
        let line = self.waiting[queue] ?? []
        let index = line.firstIndex { $0.chat == chat }!
        var expected = Expected(state: .waiting, agent: nil, position: index + 1, queue: queue, score: line[index].score)
        expected.servingSlots = self.servingSlots(queue)
        return expected
    }

    /// The visitor's open chat, if any.
    func openChat(of visitor: String) -> String? { self.openChat[visitor] }

    mutating func decline(_ hold: Hold) {
        self.forget(hold)
        self.cooled.insert(hold.visitor)
        if !hold.released {
            self.agents[hold.agent]!.held -= 1
            self.serve(hold.agent)
        }
    }

    /// What a reactive or escalation request will become; nil when the line is full.
    mutating func request(queue: String, escalation: Bool, priority: Int) -> Expected? {
        let waiting = self.waiting[queue]?.count ?? 0
        let agent = waiting == 0 ? self.bestAgent(queue) : nil
        if agent == nil, waiting >= self.maxWaiting { return nil }
        if let agent { return Expected(state: .assigned, agent: agent, position: nil, queue: queue, score: nil) }
        let score = Double(escalation ? 1 : 2) * 1e13 + Double(9 - priority) * 1e12
        return self.plannedWait(queue: queue, score: score)
    }

    mutating func requested(_ chat: String, visitor: String, _ expected: Expected) {
        self.chatVisitor[chat] = visitor
        if let agent = expected.agent {
            self.assign(chat, to: agent, queue: expected.queue)
        } else {
            self.enqueue(chat, expected)
        }
    }

    func knows(_ queue: String) -> Bool { self.knownQueues.contains(queue) }

    mutating func end(_ chat: String) {
        self.chatOrder.removeAll { $0 == chat }
        if let visitor = self.chatVisitor.removeValue(forKey: chat), self.openChat[visitor] == chat { self.openChat[visitor] = nil }
        if let agent = self.chatAgent.removeValue(forKey: chat) {
            self.agents[agent]!.chats -= 1
            self.serve(agent)
        } else if let queue = self.chatQueue[chat] {
            self.waiting[queue]?.removeAll { $0.chat == chat }
        }
        self.chatQueue[chat] = nil
    }

    /// Every hold issued so far has expired: released in expiry order, each freeing its slot for the line.
    /// Released holds lapse too, unseen: they hold no slot and start no cooldown until touched.
    mutating func expireAllHolds() {
        let all = self.holdOrder.compactMap { self.holds[$0] }
        for hold in all where hold.released { self.forget(hold) }
        let due = all.filter { !$0.released }
            .sorted { ($0.invitation.expiresAt, $0.id) < ($1.invitation.expiresAt, $1.id) }
        for hold in due {
            self.forget(hold)
            self.cooled.insert(hold.visitor)
            self.agents[hold.agent]!.held -= 1
            self.serve(hold.agent)
        }
    }

    // MARK: Choosing what to act on

    func someHold(_ random: inout SplitMix64) -> Hold? {
        guard !self.holdOrder.isEmpty else { return nil }
        return self.holds[self.holdOrder[random.next(self.holdOrder.count)]]
    }

    func someChat(_ random: inout SplitMix64) -> String? {
        guard !self.chatOrder.isEmpty else { return nil }
        return self.chatOrder[random.next(self.chatOrder.count)]
    }

    // MARK: Capacity

    func slots(queue: String?) -> CapacityView.Slots {
        let serving = self.agents.values.filter { queue == nil || $0.queues.contains(queue!) }
        let offering = serving.filter(\.offers)
        return CapacityView.Slots(
            total: offering.reduce(0) { $0 + $1.maxChats },
            chats: serving.reduce(0) { $0 + $1.chats },
            held: serving.reduce(0) { $0 + $1.held },
            free: offering.reduce(0) { $0 + max(0, $1.free) }
        )
    }

    func waitingCount(queue: String?) -> Int {
        if let queue { return self.waiting[queue]?.count ?? 0 }
        return self.waiting.values.reduce(0) { $0 + $1.count }
    }

    func availableAgents(queue: String?) -> Int {
        self.agents.values.filter { $0.offers && (queue == nil || $0.queues.contains(queue!)) }.count
    }

    // MARK: Rules

    /// The offering agent with the most free slots; among equals, the greatest id (Redis's reverse order).
    private func bestAgent(_ queue: String, fits: (Agent) -> Bool = { _ in true }) -> String? {
        self.agents.filter { $0.value.offers && $0.value.queues.contains(queue) && $0.value.free > 0 && fits($0.value) }
            .max { ($0.value.free, $0.key) < ($1.value.free, $1.key) }?.key
    }

    /// Where an invitation may take a slot: never from the queue's reserve, nor from another queue's reserve on an
    /// agent serving both.
    private func invitableAgent(_ queue: String) -> String? {
        let reserve = self.reserve[queue] ?? 0
        if reserve > 0, self.freeSlots(queue) <= reserve { return nil }
        return self.bestAgent(queue) { agent in
            agent.queues.allSatisfy { other in
                let kept = self.reserve[other] ?? 0
                return other == queue || kept == 0 || self.freeSlots(other) > kept
            }
        }
    }

    private func freeSlots(_ queue: String) -> Int {
        self.agents.values.filter { $0.offers && $0.queues.contains(queue) }.reduce(0) { $0 + max(0, $1.free) }
    }

    private mutating func assign(_ chat: String, to agent: String, queue: String) {
        if let visitor = self.chatVisitor[chat] { self.openChat[visitor] = chat }
        self.agents[agent]!.chats += 1
        self.chatAgent[chat] = agent
        self.chatQueue[chat] = queue
        if !self.chatOrder.contains(chat) { self.chatOrder.append(chat) }
    }

    private func plannedWait(queue: String, score base: Double) -> Expected {
        let score = base + Double(self.sequence + 1)
        let position = (self.waiting[queue] ?? []).filter { $0.score < score }.count + 1
        var expected = Expected(state: .waiting, agent: nil, position: position, queue: queue, score: score)
        expected.servingSlots = self.servingSlots(queue)
        return expected
    }

    private func servingSlots(_ queue: String) -> Int {
        self.agents.values.filter { $0.offers && $0.queues.contains(queue) }.reduce(0) { $0 + $1.maxChats }
    }

    private mutating func enqueue(_ chat: String, _ expected: Expected) {
        self.sequence += 1
        self.waiting[expected.queue, default: []].append((chat, expected.score!))
        self.waiting[expected.queue]!.sort { $0.score < $1.score }
        self.chatQueue[chat] = expected.queue
        self.chatOrder.append(chat)
        if let visitor = self.chatVisitor[chat] { self.openChat[visitor] = chat }
    }

    private mutating func serve(_ id: String) {
        while let agent = self.agents[id], agent.offers, agent.free > 0 {
            var best: (queue: String, score: Double)?
            for queue in agent.queues {
                if let head = self.waiting[queue]?.first, best == nil || head.score < best!.score {
                    best = (queue, head.score)
                }
            }
            guard let best else { return }
            let chat = self.waiting[best.queue]!.removeFirst().chat
            self.assign(chat, to: id, queue: best.queue)
        }
    }

    private mutating func forget(_ hold: Hold) {
        self.holds[hold.id] = nil
        self.holdOrder.removeAll { $0 == hold.id }
        if self.activeHoldOf[hold.visitor] == hold.id { self.activeHoldOf[hold.visitor] = nil }
    }
}
