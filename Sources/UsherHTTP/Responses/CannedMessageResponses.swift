internal import Hummingbird
internal import UsherCore

/// One canned message as ops see it.
struct CannedMessageResponse: ResponseEncodable {
    let name: String
    let kind: FirstResponse.Kind
    let queue: String?
    let locale: String?
    let template: String
    let updatedAt: String

    init(_ named: NamedCannedMessage) {
        self.name = named.name
        self.kind = named.message.kind
        self.queue = named.message.queue
        self.locale = named.message.locale
        self.template = named.message.template
        self.updatedAt = Timestamp.iso(milliseconds: named.updatedAt)
    }
}

struct CannedMessageListResponse: ResponseEncodable {
    let cannedMessages: [CannedMessageResponse]
}
