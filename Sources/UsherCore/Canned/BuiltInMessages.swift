/// The English first responses used where a site has no canned message of its own for a chat. Templates like any
/// other, so they say the same true numbers.
enum BuiltInMessages {
    static func template(for kind: FirstResponse.Kind) -> CompiledTemplate {
        switch kind {
        case .greeting: Self.greeting
        case .queued: Self.queued
        case .unavailable: Self.unavailable
        }
    }

    static let sources: [FirstResponse.Kind: String] = [
        .greeting: "Hi{{#visitorName}} {{visitorName}}{{/visitorName}}! Thanks for reaching out. An agent is with you now.",
        .queued: "Thanks for waiting{{#visitorName}}, {{visitorName}}{{/visitorName}}! You are number {{position}} in line; "
            + "we expect to be with you in about {{estimatedWaitMinutes}} min.",
        .unavailable: "Sorry, nobody can answer right now."
            + "{{#position}} You keep your place in line (number {{position}}) and we will be with you as soon as someone is free."
            + "{{/position}}{{#opensAt}} We are open again from {{opensAt}}.{{/opensAt}}"
            + "{{^position}}{{^opensAt}} Please try again in a few minutes.{{/opensAt}}{{/position}}",
    ]

    private static let greeting = Self.compile(.greeting)
    private static let queued = Self.compile(.queued)
    private static let unavailable = Self.compile(.unavailable)

    private static func compile(_ kind: FirstResponse.Kind) -> CompiledTemplate {
        do {
            return try CompiledTemplate(Self.sources[kind]!)
        } catch {
            preconditionFailure("the built-in \(kind) message does not compile: \(error)")
        }
    }
}
