internal import Hummingbird
internal import UsherCore

/// What every v1 controller needs: the core, the authenticator and the body reader.
struct APIServices: Sendable {
    let broker: Broker
    let authenticator: Authenticator
    let body: JSONBody
    let retry: RetryAdvice

    func error(_ error: CoreError, caller: Caller) -> APIError {
        APIError(error, caller: caller, retry: self.retry)
    }

    /// Runs a core operation, turning its refusals into API errors for this caller.
    func core<T>(_ caller: Caller, _ operation: () async throws(CoreError) -> T) async throws(APIError) -> T {
        do {
            return try await operation()
        } catch {
            throw self.error(error, caller: caller)
        }
    }
}
