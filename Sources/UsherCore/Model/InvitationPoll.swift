/// A website's invitation poll: the visitor, the queue it would be invited to (the default queue when the poll names
/// none) and the visitor's locale, kept with the invitation for its greeting.
public struct InvitationPoll: Sendable, Equatable {
    public var visitor: String
    public var queue: String
    public var locale: String?

    public init(visitor: String, queue: String? = nil, locale: String? = nil) {
        self.visitor = visitor
        self.queue = queue ?? Broker.defaultQueue
        self.locale = locale
    }
}
