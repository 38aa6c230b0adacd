/// Why the core refused or could not make a decision. The HTTP layer maps each case to a status once.
public enum CoreError: Error, Sendable, Equatable {
    /// A field of the request is missing or malformed; nothing was changed.
    case invalid(field: String, message: String)
    /// The caller's credentials do not grant this (wrong site, role or agent, or revoked).
    case forbidden
    /// The site has not been created.
    case noSite
    case notFound(String)
    /// The thing existed but is over (an expired invitation).
    case gone(String)
    /// The request conflicts with the current state (accepting a declined invitation, say).
    case conflict(String)
    /// A presence update from a session that another session replaced.
    case superseded
    /// The queue's waiting line is full.
    case lineFull
    /// Redis cannot be reached or is too slow: fail closed.
    case unavailable(String)
}
