/// The message a visitor sees first, so nobody faces an empty chat window.
public struct FirstResponse: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The chat has an agent.
        case greeting
        /// The chat waits in line.
        case queued
        /// No chat can be taken: the line is full or nobody serves the queue.
        case unavailable
    }

    public let kind: Kind
    public let text: String

    /// The built-in English messages, used until a site writes its own.
    public static func builtIn(for chat: ChatRecord) -> FirstResponse {
        let name = chat.name.map { " \($0)" } ?? ""
        switch chat.state {
        case .waiting:
            let position = chat.position ?? 1
            let minutes = max(1, ((chat.estimatedWaitSeconds ?? 60) + 59) / 60)
            return FirstResponse(
                kind: .queued,
                text: "Thanks for waiting\(name)! You are number \(position) in line; we expect to be with you in about "
                    + "\(minutes) minute\(minutes == 1 ? "" : "s")."
            )
        case .assigned:
            return FirstResponse(kind: .greeting, text: "Hi\(name)! Thanks for reaching out. An agent is with you now.")
        case .ended, .orphaned:
            return FirstResponse(kind: .unavailable, text: "This chat has ended. You are welcome to start a new one.")
        }
    }

    public static let builtInUnavailable = FirstResponse(
        kind: .unavailable,
        text: "Sorry, our team cannot take another chat right now. Please try again in a few minutes."
    )
}
