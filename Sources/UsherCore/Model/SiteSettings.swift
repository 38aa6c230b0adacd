/// A site's settings. Every duration says its unit in its name; every field has a default and a range.
public struct SiteSettings: Sendable, Equatable, Codable {
    public var holdSeconds: Int
    public var cooldownSeconds: Int
    public var heartbeatSeconds: Int
    public var orphanGraceSeconds: Int
    /// Waiting chats per queue; one more is refused with 429.
    public var maxWaiting: Int
    /// `retryAfterSeconds` of a withhold for lack of capacity or a waiting line.
    public var pollRetrySeconds: Int
    /// Until a queue's handle times are measured, the handle time its wait estimate assumes.
    public var averageHandleSeconds: Int
    /// Outside business hours, the longest `retryAfterSeconds` of a withhold, however far the next opening is.
    public var closedRetryMaxSeconds: Int
    /// Slots per queue kept back from proactive invitations for reactive and escalation demand.
    public var reserve: [String: Int]
    public var allowedOrigins: [String]

    public static let defaults = SiteSettings(
        holdSeconds: 30,
        cooldownSeconds: 600,
        heartbeatSeconds: 30,
        orphanGraceSeconds: 120,
        maxWaiting: 50,
        pollRetrySeconds: 10,
        averageHandleSeconds: 300,
        closedRetryMaxSeconds: 900,
        reserve: [:],
        allowedOrigins: []
    )

    /// The numeric settings with their valid ranges, by name.
    static let ranges: [(name: String, range: ClosedRange<Int>)] = [
        ("holdSeconds", 1...3_600),
        ("cooldownSeconds", 0...86_400),
        ("heartbeatSeconds", 1...3_600),
        ("orphanGraceSeconds", 0...86_400),
        ("maxWaiting", 0...10_000),
        ("pollRetrySeconds", 1...3_600),
        ("averageHandleSeconds", 1...86_400),
        ("closedRetryMaxSeconds", 1...86_400),
    ]

    /// A numeric setting by its name in the API and in Redis.
    public subscript(setting name: String) -> Int? {
        get {
            switch name {
            case "holdSeconds": self.holdSeconds
            case "cooldownSeconds": self.cooldownSeconds
            case "heartbeatSeconds": self.heartbeatSeconds
            case "orphanGraceSeconds": self.orphanGraceSeconds
            case "maxWaiting": self.maxWaiting
            case "pollRetrySeconds": self.pollRetrySeconds
            case "averageHandleSeconds": self.averageHandleSeconds
            case "closedRetryMaxSeconds": self.closedRetryMaxSeconds
            default: nil
            }
        }
        set {
            guard let newValue else { return }
            switch name {
            case "holdSeconds": self.holdSeconds = newValue
            case "cooldownSeconds": self.cooldownSeconds = newValue
            case "heartbeatSeconds": self.heartbeatSeconds = newValue
            case "orphanGraceSeconds": self.orphanGraceSeconds = newValue
            case "maxWaiting": self.maxWaiting = newValue
            case "pollRetrySeconds": self.pollRetrySeconds = newValue
            case "averageHandleSeconds": self.averageHandleSeconds = newValue
            case "closedRetryMaxSeconds": self.closedRetryMaxSeconds = newValue
            default: break
            }
        }
    }

    public static let maxReservePerQueue = 1_000
    public static let maxAllowedOrigins = 50
}

/// A partial update of a site's settings, as `PUT /v1/sites/{site}` takes it: absent fields stay as they are
/// (or take their defaults on a new site).
public struct SiteSettingsUpdate: Sendable, Equatable {
    public var values: [String: Int]
    public var reserve: [String: Int]?
    public var allowedOrigins: [String]?

    public init(values: [String: Int] = [:], reserve: [String: Int]? = nil, allowedOrigins: [String]? = nil) {
        self.values = values
        self.reserve = reserve
        self.allowedOrigins = allowedOrigins
    }

    /// Checks every field against its range and charset; the first problem names its field.
    public func validated() throws(CoreError) -> SiteSettingsUpdate {
        for (name, value) in self.values {
            guard let entry = SiteSettings.ranges.first(where: { $0.name == name }) else {
                throw .invalid(field: name, message: "unknown setting \(name)")
            }
            guard entry.range.contains(value) else {
                throw .invalid(
                    field: name,
                    message: "\(name) must be within \(entry.range.lowerBound)...\(entry.range.upperBound)"
                )
            }
        }
        for (queue, slots) in self.reserve ?? [:] {
            _ = try Identifier.validate(queue, field: "reserve")
            guard (0...SiteSettings.maxReservePerQueue).contains(slots) else {
                throw .invalid(field: "reserve.\(queue)", message: "reserve.\(queue) must be within 0...\(SiteSettings.maxReservePerQueue)")
            }
        }
        if let origins = self.allowedOrigins {
            guard origins.count <= SiteSettings.maxAllowedOrigins else {
                throw .invalid(field: "allowedOrigins", message: "at most \(SiteSettings.maxAllowedOrigins) origins")
            }
            for origin in origins where !(origin.hasPrefix("https://") || origin.hasPrefix("http://")) || origin.count > 200 {
                throw .invalid(field: "allowedOrigins", message: "\(origin) is not an http(s) origin")
            }
        }
        return self
    }
}
