/// A first response that ops wrote: a Mustache template for one kind of moment, optionally only for one queue and
/// one locale. Stored per site under its name; the most specific one that fits a chat is the one shown.
public struct CannedMessage: Sendable, Equatable, Codable {
    public var kind: FirstResponse.Kind
    public var queue: String?
    public var locale: String?
    public var template: String

    public init(kind: FirstResponse.Kind, queue: String? = nil, locale: String? = nil, template: String) {
        self.kind = kind
        self.queue = queue
        self.locale = locale
        self.template = template
    }

    /// Checks the fields and parses the template, so a broken one is refused when saved, never found while a visitor
    /// waits; the first problem names its field.
    func validate(maxTemplateCharacters: Int) throws(CoreError) {
        if let queue { _ = try Identifier.validate(queue, field: "queue") }
        try ChatRequest.validateLocale(self.locale)
        guard !self.template.isEmpty, self.template.count <= maxTemplateCharacters else {
            throw .invalid(field: "template", message: "template must be 1 to \(maxTemplateCharacters) characters")
        }
        _ = try CompiledTemplate(self.template)
    }

    /// Two messages that would compete for the same chats: same kind, queue and locale (locales ignore case).
    func competes(with other: CannedMessage) -> Bool {
        self.kind == other.kind && self.queue == other.queue && self.locale?.lowercased() == other.locale?.lowercased()
    }
}

/// A canned message with its name, as the list endpoint returns it.
public struct NamedCannedMessage: Sendable, Equatable {
    public let name: String
    public let message: CannedMessage
    /// Milliseconds since 1970 by Redis's clock.
    public let updatedAt: Int64
}
