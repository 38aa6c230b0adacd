/// A site's settings. Every duration says its unit in its name; every field has a default (at its declaration) and
/// every number a range (in `fields`).
public struct SiteSettings: Sendable, Equatable, Codable {
    public var holdSeconds = 30
    public var cooldownSeconds = 600
    public var heartbeatSeconds = 30
    public var orphanGraceSeconds = 120
    /// Waiting chats per queue; one more is refused with 429.
    public var maxWaiting = 50
    /// A waiting chat that no agent took within this long ends as `abandoned`.
    public var maxWaitSeconds = 900
    /// `retryAfterSeconds` of a withhold for lack of capacity or a waiting line.
    public var pollRetrySeconds = 10
    /// Until a queue's handle times are measured, the handle time its wait estimate assumes.
    public var averageHandleSeconds = 300
    /// Outside business hours, the longest `retryAfterSeconds` of a withhold, however far the next opening is.
    public var closedRetryMaxSeconds = 900
    /// Website requests to the whole site, sustained per second and in one burst; 0 per second turns the limit off.
    public var siteRequestsPerSecond = 1_000
    public var siteBurstRequests = 2_000
    /// Website requests from one client address, sustained per minute and in one burst; 0 per minute turns it off.
    public var addressRequestsPerMinute = 300
    public var addressBurstRequests = 60
    /// Invitations held and chats open (assigned or waiting) at once for visitors of one client address; 0 turns
    /// the cap off. Made-up visitor ids from one address get no more than this of the site's capacity.
    public var addressMaxHolds = 5
    public var addressMaxOpenChats = 5
    /// Slots per queue kept back from proactive invitations for reactive and escalation demand.
    public var reserve: [String: Int] = [:]
    /// Queues websites may name besides `default` and those some agent serves.
    public var queues: [String] = []
    public var allowedOrigins: [String] = []

    /// Each field's default is written at its declaration.
    public static let defaults = SiteSettings()

    /// The numeric settings: their names in the API and in Redis, and their valid ranges.
    static let fields: [(name: String, keyPath: any WritableKeyPath<SiteSettings, Int> & Sendable, range: ClosedRange<Int>)] = [
        ("holdSeconds", \.holdSeconds, 1...3_600),
        ("cooldownSeconds", \.cooldownSeconds, 0...86_400),
        ("heartbeatSeconds", \.heartbeatSeconds, 1...3_600),
        ("orphanGraceSeconds", \.orphanGraceSeconds, 0...86_400),
        ("maxWaiting", \.maxWaiting, 0...10_000),
        ("maxWaitSeconds", \.maxWaitSeconds, 1...86_400),
        ("pollRetrySeconds", \.pollRetrySeconds, 1...3_600),
        ("averageHandleSeconds", \.averageHandleSeconds, 1...86_400),
        ("closedRetryMaxSeconds", \.closedRetryMaxSeconds, 1...86_400),
        ("siteRequestsPerSecond", \.siteRequestsPerSecond, 0...1_000_000),
        ("siteBurstRequests", \.siteBurstRequests, 1...10_000_000),
        ("addressRequestsPerMinute", \.addressRequestsPerMinute, 0...1_000_000),
        ("addressBurstRequests", \.addressBurstRequests, 1...1_000_000),
        ("addressMaxHolds", \.addressMaxHolds, 0...100_000),
        ("addressMaxOpenChats", \.addressMaxOpenChats, 0...100_000),
    ]

    /// A numeric setting by its name in the API and in Redis.
    public subscript(setting name: String) -> Int? {
        get { Self.fields.first { $0.name == name }.map { self[keyPath: $0.keyPath] } }
        set {
            guard let newValue, let field = Self.fields.first(where: { $0.name == name }) else { return }
            self[keyPath: field.keyPath] = newValue
        }
    }

    /// The defaults as a Lua table constructor, so that a script falls back to them for a setting its site does not
    /// store (a site created before the setting existed).
    static var luaDefaults: String {
        "{ " + Self.fields.map { "\($0.name) = \(Self.defaults[keyPath: $0.keyPath])" }.joined(separator: ", ") + " }"
    }

    public static let maxReservePerQueue = 1_000
    public static let maxAllowedOrigins = 50
    public static let maxOriginLength = 200
}

/// A partial update of a site's settings, as `PUT /v1/sites/{site}` takes it: absent fields stay as they are
/// (or take their defaults on a new site).
public struct SiteSettingsUpdate: Sendable, Equatable {
    public var values: [String: Int]
    public var reserve: [String: Int]?
    public var queues: [String]?
    public var allowedOrigins: [String]?

    public init(values: [String: Int] = [:], reserve: [String: Int]? = nil, queues: [String]? = nil, allowedOrigins: [String]? = nil) {
        self.values = values
        self.reserve = reserve
        self.queues = queues
        self.allowedOrigins = allowedOrigins
    }

    /// Checks every field against its range and charset; the first problem names its field. `maxQueues` bounds the
    /// queues a site may name (and reserve).
    public func validated(maxQueues: Int) throws(CoreError) -> SiteSettingsUpdate {
        for (name, value) in self.values {
            guard let entry = SiteSettings.fields.first(where: { $0.name == name }) else {
                throw .invalid(field: name, message: "unknown setting \(name)")
            }
            guard entry.range.contains(value) else {
                throw .invalid(
                    field: name,
                    message: "\(name) must be within \(entry.range.lowerBound)...\(entry.range.upperBound)"
                )
            }
        }
        if let reserve = self.reserve, reserve.count > maxQueues {
            throw .invalid(field: "reserve", message: "at most \(maxQueues) queues have a reserve")
        }
        for (queue, slots) in self.reserve ?? [:] {
            // The key is a queue name: say so, rather than that reserve itself is empty or malformed.
            guard (try? Identifier.validate(queue, field: "reserve")) != nil else {
                throw .invalid(
                    field: "reserve",
                    message: "each queue name in reserve must be 1 to \(Identifier.maxLength) letters, digits, '.', '_' or '-'"
                )
            }
            guard (0...SiteSettings.maxReservePerQueue).contains(slots) else {
                throw .invalid(field: "reserve.\(queue)", message: "reserve.\(queue) must be within 0...\(SiteSettings.maxReservePerQueue)")
            }
        }
        if let queues = self.queues {
            guard queues.count <= maxQueues else { throw .invalid(field: "queues", message: "at most \(maxQueues) queues") }
            for queue in queues {
                _ = try Identifier.validate(queue, field: "queues")
            }
        }
        if let origins = self.allowedOrigins {
            guard origins.count <= SiteSettings.maxAllowedOrigins else {
                throw .invalid(field: "allowedOrigins", message: "at most \(SiteSettings.maxAllowedOrigins) origins")
            }
            for origin in origins where !Self.isOrigin(origin) {
                throw .invalid(field: "allowedOrigins", message: "\(origin.prefix(SiteSettings.maxOriginLength)) is not an http(s) origin")
            }
        }
        return self
    }
}

extension SiteSettingsUpdate {
    /// `scheme://host[:port]` as browsers send it in `Origin`: no path, no credentials, no white space (origins are
    /// stored separated by spaces).
    static func isOrigin(_ text: String) -> Bool {
        guard text.utf8.count <= SiteSettings.maxOriginLength else { return false }
        let rest: Substring
        if text.hasPrefix("https://") {
            rest = text.dropFirst("https://".count)
        } else if text.hasPrefix("http://") {
            rest = text.dropFirst("http://".count)
        } else {
            return false
        }
        guard !rest.isEmpty else { return false }
        return rest.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                true
            default:
                false
            }
        }
    }
}
