import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisTestSupport
import Testing
import UsherHTTP

@Suite("two Usher instances on one Redis")
struct TwoInstancesTests {
    @Test("3 agents × maxChats 2 and 200 concurrent polls through two instances give exactly 6 holds")
    func exactlySixHolds() async throws {
        try await API.runTwoInstances { a, b in
            let website = try await a.token(role: "website")
            for agent in ["a1", "a2", "a3"] {
                let reply = try await b.call(
                    .put, b.sitePath("/agents/\(agent)/presence"),
                    body: ["status": "available", "maxChats": 2, "session": "s"]
                )
                #expect(reply.status == .ok)
            }

            let invitations = try await withThrowingTaskGroup(of: (String, String?).self) { group in
                for index in 0..<200 {
                    let api = index.isMultiple(of: 2) ? a : b
                    group.addTask {
                        let reply = try await api.call(.post, api.sitePath("/invitations"), token: website, body: ["visitor": "v\(index)"])
                        return ("v\(index)", reply["invitation", "id"] as? String)
                    }
                }
                return try await group.reduce(into: [(String, String)]()) { result, pair in
                    if let id = pair.1 { result.append((pair.0, id)) }
                }
            }
            #expect(invitations.count == 6)
            let capacity = try await b.call(.get, b.sitePath("/capacity"))
            #expect(capacity["slots", "held"] as? Int == 6)
            #expect(capacity["slots", "free"] as? Int == 0)
            #expect(capacity["counters", "withheld"] as? Int == 194)

            var chats: [String] = []
            for (index, (visitor, id)) in invitations.enumerated() {
                let api = index.isMultiple(of: 2) ? a : b
                let accepted = try await api.call(
                    .post, api.sitePath("/invitations/\(id)/accept"), token: website, body: ["visitor": visitor]
                )
                #expect(accepted["chat", "state"] as? String == "assigned")
                if let chat = accepted["chat", "id"] as? String { chats.append(chat) }
            }
            let full = try await a.call(.get, a.sitePath("/capacity"))
            #expect(full["slots", "chats"] as? Int == 6)
            #expect(full["slots", "free"] as? Int == 0)

            #expect(try await b.call(.post, b.sitePath("/chats/\(chats[0])/end")).status == .noContent)
            let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    let api = index.isMultiple(of: 2) ? a : b
                    group.addTask {
                        let reply = try await api.call(
                            .post, api.sitePath("/invitations"), token: website, body: ["visitor": "late\(index)"]
                        )
                        return reply["decision"] as? String == "invite"
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(admitted == 1)
            let drift = try await a.call(.post, a.sitePath("/reconcile"))
            #expect(drift["drift"] as? Int == 0)
        }
    }
}
