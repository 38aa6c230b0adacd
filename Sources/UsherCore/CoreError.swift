/// Why the core refused or could not make a decision. The HTTP layer maps each case to a status once.
public enum CoreError: Error, Sendable, Equatable {
    /// A field of the request is missing or malformed; nothing was changed.
    case invalid(field: String, message: String)
    /// The caller's credentials do not grant this (wrong site, role or agent, or revoked).
    case forbidden
    /// Only the root admin may do this (create and configure sites), and the caller is not it.
    case adminOnly
    /// The caller's role may not set this field (a website asking for an escalation).
    case forbiddenField(field: String, message: String)
    /// The caller's rate limit is spent; nothing was changed.
    case rateLimited(retryAfterSeconds: Int)
    /// A per-site cap (agents, queues, tokens) is reached; nothing was changed.
    case limitReached(String)
    /// The site has not been created.
    case noSite
    case notFound(String)
    /// The thing existed but is over (an expired invitation).
    case gone(String)
    /// The request conflicts with the current state (accepting a declined invitation, say).
    case conflict(String)
    /// A presence update from a session that another session replaced.
    case superseded
    /// The queue's waiting line is full; the visitor is told so with this message.
    case lineFull(FirstResponse)
    /// Outside business hours; `opensAt` (ms since 1970) is the next opening within the compiled horizon.
    case closed(opensAt: Int64?, FirstResponse)
    /// The compiled business hours ran out. The broker compiles them again and retries; it never leaves the core.
    case hoursStale
    /// Redis cannot be reached or is too slow: fail closed.
    case unavailable(String)
    /// This instance already waits for Redis on as much of this kind of work as it may: shed at once, failing
    /// closed like `unavailable`, though nothing is wrong with Redis.
    case overloaded(String)
}
