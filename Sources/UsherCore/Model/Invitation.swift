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
