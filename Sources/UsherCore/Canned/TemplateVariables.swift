/// What a canned message may say about the chat it answers. Absent values leave their sections closed, so a
/// template can fall back: `{{#visitorName}}Hi {{visitorName}}{{/visitorName}}{{^visitorName}}Hello{{/visitorName}}`.
public struct TemplateVariables: Sendable, Equatable {
    /// Every name a template may use; anything else is refused when the template is saved.
    public static let names: Set<String> = [
        "visitorName", "queue", "position", "estimatedWaitMinutes", "estimatedWaitSeconds", "opensAt",
    ]

    public var visitorName: String?
    public var queue: String
    public var position: Int?
    public var estimatedWaitSeconds: Int?
    /// When a closed site or queue opens next, already formatted for the visitor (see `OpeningFormatter`).
    public var opensAt: String?

    public init(
        visitorName: String? = nil, queue: String, position: Int? = nil, estimatedWaitSeconds: Int? = nil, opensAt: String? = nil
    ) {
        self.visitorName = visitorName
        self.queue = queue
        self.position = position
        self.estimatedWaitSeconds = estimatedWaitSeconds
        self.opensAt = opensAt
    }

    /// Whole minutes, rounded up, and at least one: "about 0 minutes" would promise too much.
    public var estimatedWaitMinutes: Int? {
        self.estimatedWaitSeconds.map { max(1, ($0 + 59) / 60) }
    }

    /// The Mustache context: only present values, so sections test presence.
    var values: [String: String] {
        var values = ["queue": self.queue]
        if let visitorName, !visitorName.isEmpty { values["visitorName"] = visitorName }
        values["position"] = self.position.map(String.init)
        values["estimatedWaitSeconds"] = self.estimatedWaitSeconds.map(String.init)
        values["estimatedWaitMinutes"] = self.estimatedWaitMinutes.map(String.init)
        values["opensAt"] = self.opensAt
        return values
    }
}
