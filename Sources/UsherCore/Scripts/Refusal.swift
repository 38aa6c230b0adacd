/// A script's refusal: the error reply `USHER <code> [detail]`, decoded once into a case, then into the core's error.
/// Every code a script sends is a case here (a test reads the scripts' `fail('…')` and `authorize()` codes).
enum Refusal: String, CaseIterable {
    case noSite = "no_site"
    case forbidden
    case websiteSource = "website_source"
    case websitePriority = "website_priority"
    case unknownQueue = "unknown_queue"
    /// Detail: milliseconds until a retry can pass.
    case rateLimited = "rate_limited"
    case tooManyAgents = "too_many_agents"
    case tooManyQueues = "too_many_queues"
    case tooManyTokens = "too_many_tokens"
    case notFound = "not_found"
    case noCanned = "no_canned"
    case noHours = "no_hours"
    case gone
    case conflict
    case superseded
    /// Detail: the canned message that already answers.
    case cannedConflict = "canned_conflict"
    case hoursStale = "hours_stale"
    case cannedFull = "canned_full"

    /// The core's error for a refusal's text (the reply after `USHER `); a code no case knows is a bug of ours, and
    /// fails closed.
    static func error(for text: String) -> CoreError {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard let refusal = parts.first.flatMap(Refusal.init(rawValue:)) else {
            return .unavailable("unknown script error \(text)")
        }
        return refusal.error(detail: parts.count > 1 ? parts[1] : "")
    }

    func error(detail: String) -> CoreError {
        switch self {
        case .noSite: .noSite
        case .forbidden: .forbidden
        case .websiteSource: .forbiddenField(field: "source", message: "a website token may request reactive chats only")
        case .websitePriority: .forbiddenField(field: "priority", message: "a website token may not set a priority")
        case .unknownQueue: .invalid(field: "queue", message: "no agent serves that queue and the site names no such queue")
        case .rateLimited: .rateLimited(retryAfterSeconds: max(1, ((Int(detail) ?? 1_000) + 999) / 1_000))
        case .tooManyAgents: .limitReached("the site has as many agents as allowed")
        case .tooManyQueues: .limitReached("the site has as many queues as allowed")
        case .tooManyTokens: .limitReached("the site has as many tokens as allowed; revoke one first")
        case .notFound: .notFound("no such invitation or chat")
        case .noCanned: .notFound("no such canned message")
        case .noHours: .notFound("the site has no business hours")
        case .gone: .gone("the invitation has expired")
        case .conflict: .conflict("the request conflicts with the current state")
        case .superseded: .superseded
        case .cannedConflict: .conflict("canned message \(detail) already answers this kind, queue and locale")
        case .hoursStale: .hoursStale
        case .cannedFull: .conflict("the site has as many canned messages as allowed; delete one first")
        }
    }
}
