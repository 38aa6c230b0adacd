internal import Hummingbird
internal import UsherCore

extension APIError {
    /// The one place where the core's refusals become HTTP statuses.
    init(_ error: CoreError, caller: Caller, retry: RetryAdvice) {
        switch error {
        case .invalid(let field, let message):
            self = .invalid(field: field, message: message)
        case .forbidden:
            self.init(status: .forbidden, code: "forbidden", message: "this token does not grant that")
        case .adminOnly:
            self.init(status: .forbidden, code: "forbidden", message: "this needs the admin token")
        case .forbiddenField(let field, let message):
            self.init(status: .forbidden, code: "forbidden", message: message, field: field)
        case .rateLimited(let seconds):
            self.init(
                status: .tooManyRequests, code: "rate_limited", message: "too many requests; retry after \(seconds) s",
                retryAfterSeconds: seconds
            )
        case .limitReached(let message):
            self.init(status: .conflict, code: "limit_reached", message: message)
        case .noSite:
            // Only the admin learns whether a site exists; to a site token, another site is simply forbidden.
            self =
                caller == .admin
                ? APIError(status: .notFound, code: "site_not_found", message: "no such site")
                : APIError(status: .forbidden, code: "forbidden", message: "this token does not grant that")
        case .notFound(let message):
            self.init(status: .notFound, code: "not_found", message: message)
        case .gone(let message):
            self.init(status: .gone, code: "gone", message: message)
        case .conflict(let message):
            self.init(status: .conflict, code: "conflict", message: message)
        case .superseded:
            self.init(status: .conflict, code: "superseded_session", message: "another session of this agent took over")
        case .lineFull(let message):
            self.init(
                status: .tooManyRequests, code: "line_full", message: "the waiting line is full",
                retryAfterSeconds: retry.lineFullSeconds
            )
            self.firstResponse = message
        case .closed(let opensAt, let message):
            self.init(status: .conflict, code: "closed", message: "the queue is outside its business hours")
            self.firstResponse = message
            self.opensAt = opensAt.map(Timestamp.iso(milliseconds:))
        case .hoursStale:
            // Only if the hours were still stale right after compiling them again: treat as a passing fault.
            self = .unavailable(
                "the business hours are being updated; retry shortly", retryAfterSeconds: retry.unavailableSeconds,
                cause: "business hours still stale after recompiling"
            )
        case .unavailable(let detail):
            self = .unavailable(
                "the capacity store is unreachable; retry shortly", retryAfterSeconds: retry.unavailableSeconds, cause: detail
            )
        case .overloaded:
            self = .overloaded(retryAfterSeconds: retry.unavailableSeconds)
        }
    }
}
