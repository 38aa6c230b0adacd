/// Polls fail closed (PRODUCT invariant 5).
extension Broker {
    /// A website's poll as the API answers it: when no decision can be reached because the store is unreachable, or
    /// because this instance sheds the poll (too many of its site and token wait for Redis), the answer is `withhold`
    /// with reason `unavailable` and `unavailableRetrySeconds`, never an invitation and never an error; `unreachable`
    /// is told why the store could not decide, for the log. Every other refusal is thrown as the core's error.
    public func poll(
        _ poll: InvitationPoll, site: String, caller: Caller, unavailableRetrySeconds: Int, unreachable: (String) -> Void
    ) async throws(CoreError) -> InvitationDecision {
        do {
            return try await self.poll(site: site, caller: caller, visitor: poll.visitor, queue: poll.queue, locale: poll.locale)
        } catch .unavailable(let detail) {
            unreachable(detail)
            return .withhold(reason: .unavailable, retryAfterSeconds: unavailableRetrySeconds)
        } catch .overloaded {
            // Shed: nothing to report of Redis, and a flood would otherwise log a line a poll.
            return .withhold(reason: .unavailable, retryAfterSeconds: unavailableRetrySeconds)
        }
    }
}
