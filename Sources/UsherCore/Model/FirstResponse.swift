/// The message a visitor sees first, so nobody faces an empty chat window.
public struct FirstResponse: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The chat has an agent.
        case greeting
        /// The chat waits in line.
        case queued
        /// No chat can be taken now: the line is full, nobody serves the queue, the site is closed, or the chat is over.
        case unavailable
    }

    public let kind: Kind
    public let text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}
