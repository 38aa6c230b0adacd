internal import UsherCore

/// `PUT /v1/sites/{site}`: every field optional.
struct SiteSettingsBody: Decodable {
    let values: [String: Int]
    let reserve: [String: Int]?
    let queues: [String]?
    let allowedOrigins: [String]?

    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: Int] = [:]
        // Known numeric settings only; unknown fields are ignored like everywhere else.
        for key in container.allKeys where SiteSettings.defaults[setting: key.stringValue] != nil {
            values[key.stringValue] = try container.requiredWholeNumber(forKey: key)
        }
        self.values = values
        let reserveKey = Key(stringValue: "reserve")
        if container.contains(reserveKey), try !container.decodeNil(forKey: reserveKey) {
            let slots = try container.nestedContainer(keyedBy: Key.self, forKey: reserveKey)
            var reserve: [String: Int] = [:]
            for queue in slots.allKeys {
                reserve[queue.stringValue] = try slots.requiredWholeNumber(forKey: queue)
            }
            self.reserve = reserve
        } else {
            self.reserve = nil
        }
        self.queues = try container.decodeIfPresent([String].self, forKey: Key(stringValue: "queues"))
        self.allowedOrigins = try container.decodeIfPresent([String].self, forKey: Key(stringValue: "allowedOrigins"))
    }

    var update: SiteSettingsUpdate {
        SiteSettingsUpdate(values: self.values, reserve: self.reserve, queues: self.queues, allowedOrigins: self.allowedOrigins)
    }
}

struct TokenBody: Decodable {
    let role: Role
    let agent: String?
}

struct InvitationPollBody: Decodable {
    let visitor: String
    let queue: String?
    let locale: String?

    var poll: InvitationPoll { InvitationPoll(visitor: self.visitor, queue: self.queue, locale: self.locale) }
}

struct AcceptBody: Decodable {
    let visitor: String
    let name: String?
    let locale: String?
}

/// Decline and cancel: the visitor whose invitation or chat it is.
struct VisitorBody: Decodable {
    let visitor: String
}

struct ChatRequestBody: Decodable {
    enum Source: String, Decodable {
        case reactive, escalation
    }

    let visitor: String
    let queue: String?
    let locale: String?
    let source: Source
    let priority: Int?
    let name: String?

    enum CodingKeys: String, CodingKey {
        case visitor, queue, locale, source, priority, name
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.visitor = try container.decode(String.self, forKey: .visitor)
        self.queue = try container.decodeIfPresent(String.self, forKey: .queue)
        self.locale = try container.decodeIfPresent(String.self, forKey: .locale)
        self.source = try container.decode(Source.self, forKey: .source)
        self.priority = try container.wholeNumber(forKey: .priority)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
    }

    var request: ChatRequest {
        ChatRequest(
            visitor: self.visitor,
            queue: self.queue,
            source: self.source == .escalation ? .escalation : .reactive,
            priority: self.priority,
            name: self.name,
            locale: self.locale
        )
    }
}

struct PresenceBody: Decodable {
    let status: PresenceUpdate.Status
    let maxChats: Int
    let queues: [String]?
    let session: String

    enum CodingKeys: String, CodingKey {
        case status, maxChats, queues, session
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try container.decode(PresenceUpdate.Status.self, forKey: .status)
        self.maxChats = try container.requiredWholeNumber(forKey: .maxChats)
        self.queues = try container.decodeIfPresent([String].self, forKey: .queues)
        self.session = try container.decode(String.self, forKey: .session)
    }

    var update: PresenceUpdate {
        PresenceUpdate(status: self.status, maxChats: self.maxChats, queues: self.queues, session: self.session)
    }
}

/// `PUT /v1/sites/{site}/canned-messages/{name}`.
struct CannedMessageBody: Decodable {
    let kind: FirstResponse.Kind
    let queue: String?
    let locale: String?
    let template: String

    var message: CannedMessage {
        CannedMessage(kind: self.kind, queue: self.queue, locale: self.locale, template: self.template)
    }
}
