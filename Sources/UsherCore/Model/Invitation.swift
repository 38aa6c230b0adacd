/// A reserved slot offered to one visitor until `expiresAt`.
public struct InvitationHold: Sendable, Equatable, Decodable {
    public let id: String
    public let queue: String
    /// Milliseconds since 1970 by Redis's clock.
    public let expiresAt: Int64
}

/// The answer to an invitation poll.
public enum InvitationDecision: Sendable, Equatable {
    case invite(InvitationHold)
    case withhold(reason: WithholdReason, retryAfterSeconds: Int)
}

public enum WithholdReason: String, Sendable, Codable, CaseIterable {
    case noCapacity = "no_capacity"
    case waiting
    case cooldown
    /// The visitor already has an open chat at the site.
    case chatting
    /// Outside the queue's business hours.
    case closed
    /// Redis could not be reached: Usher fails closed.
    case unavailable

    /// The reasons a script gives, and so the ones counted in Redis (`unavailable` is decided without it).
    public static let counted = Self.allCases.filter { $0 != .unavailable }
}

/// The script's encoding of a decision.
struct InvitationDecisionReply: Decodable {
    let decision: String
    let invitation: InvitationHold?
    let reason: WithholdReason?
    let retryAfterMs: Int?

    var decisionValue: InvitationDecision {
        if let invitation, self.decision == "invite" { return .invite(invitation) }
        // Round up, so a client never polls before the reason can have changed.
        let seconds = max(1, ((self.retryAfterMs ?? 1_000) + 999) / 1_000)
        return .withhold(reason: self.reason ?? .noCapacity, retryAfterSeconds: seconds)
    }
}

/// One poll's entry in invitation.lua's reply: its decision, or its refusal on its own (the other polls of the call
/// stand).
struct PollOutcome: Decodable {
    let result: Result<InvitationDecisionReply, CoreError>

    private enum CodingKeys: String, CodingKey {
        case refused
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let refusal = try container.decodeIfPresent(String.self, forKey: .refused) {
            self.result = .failure(Refusal.error(for: refusal))
        } else {
            self.result = .success(try InvitationDecisionReply(from: decoder))
        }
    }
}
