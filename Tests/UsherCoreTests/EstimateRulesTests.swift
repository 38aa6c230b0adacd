import Testing
import UsherCore

@Suite("wait estimates from the chat lifecycle")
struct EstimateRulesTests {
    @Test("handle and first-response times are learned, and a waited chat's estimate is compared with its actual wait")
    func learnedFromLifecycle() async throws {
        try await CoreHarness.run { h in
            _ = try await h.online("a1", maxChats: 1)
            let first = try await h.request("v0")
            #expect(first.state == .assigned)
            let waiting = try await h.request("v1")
            #expect(waiting.state == .waiting)
            // Nothing measured yet: one slot, averageHandleSeconds for the chat ahead.
            #expect(waiting.estimate == WaitInputs(servingSlots: 1, handleMilliseconds: 300_000, firstResponseMilliseconds: 0))
            #expect(waiting.estimatedWaitSeconds == 300)
            #expect(waiting.firstResponse?.kind == .queued)

            try await h.end(first.id)
            let served = try await h.chat(waiting.id)
            #expect(served.state == .assigned)
            try await h.firstResponse(waiting.id)

            // The handle time now measured (well under a minute here) drives the next estimate.
            _ = try await h.request("v2")
            let next = try await h.request("v3")
            let measured = try #require(next.estimate)
            #expect(measured.handleMilliseconds < 60_000)
            #expect(measured.servingSlots == 1)
            #expect(try #require(next.estimatedWaitSeconds) < 60)

            let queue = try #require(try await h.capacity().queues["default"]?.estimate)
            #expect(queue.handleSamples == 1)
            #expect(queue.firstResponseSamples == 1)
            #expect(queue.errorSamples == 1)
            // Told 300 s, answered within moments: the error is nearly all of it.
            let error = try #require(queue.medianAbsoluteErrorSeconds)
            #expect(error > 240 && error <= 300)
        }
    }

    @Test("with nobody serving the queue a waiting chat keeps its place, gets no estimate and the unavailable message")
    func nobodyServing() async throws {
        try await CoreHarness.run { h in
            let chat = try await h.request("v1")
            #expect(chat.state == .waiting)
            #expect(chat.position == 1)
            #expect(chat.estimatedWaitSeconds == nil)
            #expect(chat.firstResponse?.kind == .unavailable)
            #expect(chat.firstResponse?.text.contains("number 1") == true)
            _ = try await h.online("a1", maxChats: 1)
            let served = try await h.broker.chat(site: h.site, caller: h.admin, id: chat.id, visitor: "v1")
            #expect(served.state == .assigned)
            #expect(served.firstResponse?.kind == .greeting)
            #expect(served.firstResponseChanged)
            let again = try await h.broker.chat(site: h.site, caller: h.admin, id: chat.id, visitor: "v1")
            #expect(!again.firstResponseChanged)
        }
    }
}
