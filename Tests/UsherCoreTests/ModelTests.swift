import Foundation
import RedisTestSupport
import Testing
import UsherCore

/// Thousands of random operations against the real scripts, each checked against a plain Swift model of the rules.
///
/// Time passes in epochs: within one epoch (kept shorter than `holdSeconds`) no hold can expire; between epochs the
/// test sleeps past `holdSeconds`, so every hold issued so far has expired when the next epoch starts. Heartbeats are
/// long enough never to lapse here (lapses have their own tests), and the cooldown outlasts the test.
@Suite("randomized model check")
struct ModelTests {
    @Test("random operations match the model step by step, and reconcile finds no drift")
    func randomOperations() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["USHER_MODEL_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max / 2)
        let settings = ["holdSeconds": 3, "cooldownSeconds": 600, "heartbeatSeconds": 3_600, "maxWaiting": 5]
        try await CoreHarness.run(settings: settings, reserve: ["default": 1]) { h in
            // Half the runs name the second queue in the site's settings; in the others it is known once an agent serves it.
            let configured: Set<String> = seed % 2 == 0 ? ["sales"] : []
            _ = try await h.broker.putSite(h.site, caller: .admin, update: SiteSettingsUpdate(queues: Array(configured)))
            var random = SplitMix64(seed: seed)
            var model = Model(reserve: ["default": 1], maxWaiting: 5, queues: configured)
            var steps = 0
            var epoch = 0
            // Epochs until enough steps ran; a slow machine gets more, shorter epochs rather than fewer steps.
            while steps < Self.minimumSteps, epoch < Self.maximumEpochs {
                let started = ContinuousClock.now
                var operations = 0
                // An epoch ends after its operations, or early on a slow machine: no hold may expire inside one.
                while operations < 400, ContinuousClock.now - started < .milliseconds(1_200) {
                    try await Self.step(h, &model, &random, context: "seed \(seed), epoch \(epoch), step \(steps)")
                    operations += 1
                    steps += 1
                }
                try await Self.compareCapacity(h, model, context: "seed \(seed), end of epoch \(epoch)")
                try await Task.sleep(for: .milliseconds(3_200))
                model.expireAllHolds()
                epoch += 1
            }
            try await Self.compareCapacity(h, model, context: "seed \(seed), final")
            #expect(steps >= Self.minimumSteps, "only \(steps) steps in \(epoch) epochs (seed \(seed))")
            let report = try await h.drift()
            #expect(report.drift == 0, "seed \(seed): \(report.differences)")
            #expect(report.violations.isEmpty, "seed \(seed): \(report.violations)")
        }
    }

    static let minimumSteps = 1_500
    static let maximumEpochs = 20
    static let agents = ["a1", "a2", "a3", "a4"]
    static let queues = ["default", "sales"]

    static func step(_ h: CoreHarness, _ model: inout Model, _ random: inout SplitMix64, context: String) async throws {
        let roll = random.next(100)
        switch roll {
        case 0..<12:
            let agent = Self.agents[random.next(Self.agents.count)]
            let statuses: [PresenceUpdate.Status] = [.available, .available, .available, .away, .draining, .offline]
            let status = statuses[random.next(statuses.count)]
            let maxChats = 1 + random.next(3)
            var queues = Self.queues.filter { _ in random.next(2) == 0 }
            if queues.isEmpty { queues = [Self.queues[random.next(2)]] }
            let state = try await h.online(agent, maxChats: maxChats, queues: queues, status: status)
            let expected = model.presence(agent, status: status, maxChats: maxChats, queues: queues)
            #expect(state.activeChats == expected, "\(context): presence \(agent) activeChats")
        case 12..<45:
            let visitor = "v\(random.next(300))"
            let queue = Self.queues[random.next(Self.queues.count)]
            guard model.knows(queue) else {
                await #expect(throws: CoreError.self, "\(context): poll in unknown \(queue)") { try await h.poll(visitor, queue: queue) }
                return
            }
            let actual = try await h.poll(visitor, queue: queue)
            let expected = model.poll(visitor, queue: queue)
            switch (expected, actual) {
            case (.invite(let known), .invite(let hold)):
                if let known { #expect(hold.id == known, "\(context): the same invitation again") }
                model.issued(hold)
            case (.withhold(let reason), .withhold(let actualReason, _)):
                #expect(actualReason == reason, "\(context): poll \(visitor) in \(queue)")
            default:
                Issue.record("\(context): poll \(visitor) in \(queue): model \(expected), actual \(actual)")
                throw ModelDiverged()
            }
        case 45..<60:
            guard let hold = model.someHold(&random) else { return }
            let chat = try await h.accept(hold.invitation, visitor: hold.visitor)
            let expected = model.accept(hold, chat: chat.id)
            #expect(chat.state == expected.state, "\(context): accept state")
            #expect(chat.agent == expected.agent, "\(context): accept agent")
            #expect(chat.position == expected.position, "\(context): accept position")
            #expect(chat.estimate?.servingSlots == expected.servingSlots, "\(context): accept estimate's serving slots")
            #expect(chat.firstResponse?.kind == expected.firstResponseKind, "\(context): accept first response")
        case 60..<68:
            guard let hold = model.someHold(&random) else { return }
            try await h.broker.decline(site: h.site, caller: h.admin, invitation: hold.id, visitor: hold.visitor)
            model.decline(hold)
        case 68..<84:
            let visitor = "r\(random.next(1_000))"
            let queue = Self.queues[random.next(Self.queues.count)]
            let escalation = random.next(4) == 0
            let priority = random.next(3) == 0 ? random.next(10) : 0
            let source: ChatRecord.Source = escalation ? .escalation : .reactive
            guard model.knows(queue) else {
                await #expect(throws: CoreError.self, "\(context): request in unknown \(queue)") {
                    try await h.request(visitor, source: source, priority: priority, queue: queue)
                }
                return
            }
            if let open = model.openChat(of: visitor) {
                let chat = try await h.request(visitor, source: source, priority: priority, queue: queue)
                let expected = model.view(open)
                #expect(chat.id == open && chat.existing, "\(context): a second request returns the open chat")
                #expect(chat.state == expected.state, "\(context): open chat state")
                #expect(chat.position == expected.position, "\(context): open chat position")
                return
            }
            let expected = model.request(queue: queue, escalation: escalation, priority: priority)
            do {
                let chat = try await h.request(visitor, source: source, priority: priority, queue: queue)
                guard let expected else {
                    Issue.record("\(context): request was accepted, the model expected a full line")
                    throw ModelDiverged()
                }
                model.requested(chat.id, visitor: visitor, expected)
                #expect(chat.state == expected.state, "\(context): request state")
                #expect(chat.agent == expected.agent, "\(context): request agent")
                #expect(chat.position == expected.position, "\(context): request position")
                #expect(chat.estimate?.servingSlots == expected.servingSlots, "\(context): request estimate's serving slots")
                #expect(chat.firstResponse?.kind == expected.firstResponseKind, "\(context): request first response")
            } catch CoreError.lineFull {
                #expect(expected == nil, "\(context): line full, the model expected room")
            }
        case 84..<97:
            guard let chat = model.someChat(&random) else { return }
            try await h.end(chat)
            model.end(chat)
        default:
            try await Self.compareCapacity(h, model, context: context)
        }
    }

    static func compareCapacity(_ h: CoreHarness, _ model: Model, context: String) async throws {
        let capacity = try await h.capacity()
        #expect(capacity.site.slots == model.slots(queue: nil), "\(context): site slots")
        #expect(capacity.site.waiting == model.waitingCount(queue: nil), "\(context): site waiting")
        #expect(capacity.site.agents.available == model.availableAgents(queue: nil), "\(context): available agents")
        for queue in Self.queues where model.knownQueues.contains(queue) {
            #expect(capacity.queues[queue]?.slots == model.slots(queue: queue), "\(context): \(queue) slots")
            #expect(capacity.queues[queue]?.waiting == model.waitingCount(queue: queue), "\(context): \(queue) waiting")
        }
    }
}

struct ModelDiverged: Error {}
