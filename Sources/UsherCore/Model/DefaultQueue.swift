/// What a request may leave out: no queue is the default queue, and a chat request with no priority has priority 0.
extension ChatRequest {
    /// A chat request as a client may leave it: no queue is the default queue, no priority is priority 0.
    public init(visitor: String, queue: String?, source: ChatRecord.Source, priority: Int?, name: String?, locale: String?) {
        self.init(
            visitor: visitor, queue: queue ?? Broker.defaultQueue, source: source, priority: priority ?? 0, name: name, locale: locale
        )
    }
}

extension PresenceUpdate {
    /// An agent that names no queues serves the default queue.
    public init(status: Status, maxChats: Int, queues: [String]?, session: String) {
        self.init(status: status, maxChats: maxChats, queues: queues ?? [Broker.defaultQueue], session: session)
    }
}
