/// What an agent's client reports: status, capacity, queues and the session that holds the presence.
public struct PresenceUpdate: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case available, draining, away, offline
    }

    public static let maxChatsRange = 1...50
    public static let maxQueues = 20

    public var status: Status
    public var maxChats: Int
    public var queues: [String]
    public var session: String

    public init(status: Status, maxChats: Int, queues: [String], session: String) {
        self.status = status
        self.maxChats = maxChats
        self.queues = queues
        self.session = session
    }

    public func validated() throws(CoreError) -> PresenceUpdate {
        guard Self.maxChatsRange.contains(self.maxChats) else {
            throw .invalid(field: "maxChats", message: "maxChats must be within \(Self.maxChatsRange.lowerBound)...\(Self.maxChatsRange.upperBound)")
        }
        guard self.queues.count <= Self.maxQueues else {
            throw .invalid(field: "queues", message: "at most \(Self.maxQueues) queues")
        }
        for queue in self.queues {
            _ = try Identifier.validate(queue, field: "queues")
        }
        _ = try Identifier.validate(self.session, field: "session")
        return self
    }
}

/// The agent's presence as stored, with its deadline on Redis's clock.
public struct PresenceState: Sendable, Equatable, Decodable {
    public let status: PresenceUpdate.Status
    public let maxChats: Int
    public let queues: [String]
    public let activeChats: Int
    /// Milliseconds since 1970 by Redis's clock; 0 for offline.
    public let expiresAt: Int64

    enum CodingKeys: String, CodingKey {
        case status, maxChats, queues, activeChats, expiresAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try container.decode(PresenceUpdate.Status.self, forKey: .status)
        self.maxChats = try container.decode(Int.self, forKey: .maxChats)
        self.queues = try container.decodeIfPresent([String].self, forKey: .queues) ?? []
        self.activeChats = try container.decode(Int.self, forKey: .activeChats)
        self.expiresAt = try container.decode(Int64.self, forKey: .expiresAt)
    }
}
