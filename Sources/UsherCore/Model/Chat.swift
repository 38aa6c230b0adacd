/// A chat as the scripts report it, with the first response its visitor sees.
public struct ChatRecord: Sendable, Equatable, Decodable {
    public enum State: String, Sendable, Codable {
        case assigned, waiting, ended, orphaned, abandoned
    }

    public enum Source: String, Sendable, Codable, CaseIterable {
        case invitation, reactive, escalation
    }

    public let id: String
    public let queue: String
    public let state: State
    public let source: Source
    public let visitor: String
    public let agent: String?
    public let name: String?
    public let locale: String?
    /// Milliseconds since 1970 by Redis's clock.
    public let createdAt: Int64
    public let firstResponseAt: Int64?
    /// 1-based place in the queue's waiting line, while waiting.
    public let position: Int?
    /// While waiting: what the estimate is made of at this instant.
    public let estimate: WaitInputs?
    /// The message for the visitor: rendered for the visitor's answers, nil in agents' and ops' lists.
    public internal(set) var firstResponse: FirstResponse?
    /// Whether the first response's kind differs from the one this visitor was shown before.
    public let firstResponseChanged: Bool
    /// The visitor already had this chat open when it asked for one (a retry, or a second tab).
    public var existing: Bool { self.wasOpen ?? false }
    private let wasOpen: Bool?

    enum CodingKeys: String, CodingKey {
        case id, queue, state, source, visitor, agent, name, locale, createdAt, firstResponseAt, position, estimate
        case firstResponse, firstResponseChanged
        case wasOpen = "existing"
    }

    /// While waiting: the visitor's expected wait until an agent first answers (`WaitEstimator`); nil when nobody
    /// serves the queue.
    public var estimatedWaitSeconds: Int? {
        guard let position, let estimate else { return nil }
        return WaitEstimator.seconds(position: position, inputs: estimate)
    }
}

/// The scripts' encoding of a chat: the record, and which first response applies with the site's canned-message
/// version to render it from.
struct ChatReply: Decodable {
    let record: ChatRecord
    let firstResponseKind: FirstResponse.Kind
    let cannedVersion: Int

    enum CodingKeys: String, CodingKey {
        case firstResponseKind, cannedVersion
    }

    init(from decoder: any Decoder) throws {
        self.record = try ChatRecord(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.firstResponseKind = try container.decode(FirstResponse.Kind.self, forKey: .firstResponseKind)
        self.cannedVersion = try container.decode(Int.self, forKey: .cannedVersion)
    }
}

/// A reactive or escalation chat request from a website.
public struct ChatRequest: Sendable, Equatable {
    public static let priorityRange = 0...9
    public static let maxNameLength = 100
    public static let maxLocaleLength = 35

    public var visitor: String
    public var queue: String
    public var source: ChatRecord.Source
    public var priority: Int
    public var name: String?
    public var locale: String?

    public init(visitor: String, queue: String, source: ChatRecord.Source, priority: Int = 0, name: String? = nil, locale: String? = nil) {
        self.visitor = visitor
        self.queue = queue
        self.source = source
        self.priority = priority
        self.name = name
        self.locale = locale
    }

    public func validated() throws(CoreError) -> ChatRequest {
        _ = try Identifier.validate(self.visitor, field: "visitor")
        _ = try Identifier.validate(self.queue, field: "queue")
        guard self.source != .invitation else {
            throw .invalid(field: "source", message: "source must be reactive or escalation")
        }
        guard Self.priorityRange.contains(self.priority) else {
            throw .invalid(field: "priority", message: "priority must be within 0...9")
        }
        try Self.validateName(self.name)
        try Self.validateLocale(self.locale)
        return self
    }

    /// Counted in Unicode scalars, not characters: combining marks cannot stretch one "character" to kilobytes. Control
    /// and format characters (bidirectional overrides among them) and line separators would reach agents' screens
    /// and every rendered greeting, so none is allowed.
    public static func validateName(_ name: String?) throws(CoreError) {
        guard let name else { return }
        let hidden: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator]
        guard name.unicodeScalars.count <= Self.maxNameLength,
            !name.unicodeScalars.contains(where: { hidden.contains($0.properties.generalCategory) })
        else {
            throw .invalid(field: "name", message: "name must be at most \(Self.maxNameLength) characters, without control or format characters")
        }
    }

    /// A BCP 47-like tag: letters, digits and '-', as in `de-CH`.
    public static func validateLocale(_ locale: String?) throws(CoreError) {
        guard let locale else { return }
        let ok =
            !locale.isEmpty && locale.count <= Self.maxLocaleLength
            && locale.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" }
        guard ok else { throw .invalid(field: "locale", message: "locale must be a language tag such as de-CH") }
    }
}

struct ChatList: Decodable {
    let chats: [ChatReply]?
}

/// The chat request script's answer: the chat, or a refusal the visitor is told about in words.
enum ChatRequestReply: Decodable {
    struct Refusal: Decodable {
        let refused: String
        let opensAt: Int64?
        let cannedVersion: Int?
        let timeZone: String?
    }

    case chat(ChatReply)
    case refused(Refusal)

    init(from decoder: any Decoder) throws {
        if let refusal = try? Refusal(from: decoder) {
            self = .refused(refusal)
        } else {
            self = .chat(try ChatReply(from: decoder))
        }
    }
}
