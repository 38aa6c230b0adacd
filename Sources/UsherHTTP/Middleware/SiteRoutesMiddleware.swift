internal import Hummingbird
internal import UsherCore

/// What every route under `/v1/sites/{site}` shares: its caller is authenticated from the `Authorization` header
/// before the route (401 when the header names nobody) and handed on, with the body limit, as the `SiteAdmission`
/// that `SiteRequestContext` is made from; and the core's refusals become API errors for that caller
/// (`APIError(_:caller:retry:)`), so handlers throw `CoreError` as it comes.
struct SiteRoutesMiddleware: RouterMiddleware {
    typealias Context = UsherRequestContext

    let authenticator: Authenticator
    let maxBodyBytes: Int
    let retry: RetryAdvice

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try self.authenticator.caller(request, context: context)
        var context = context
        context.siteAdmission = SiteAdmission(caller: caller, maxBodyBytes: self.maxBodyBytes)
        do {
            return try await next(request, context)
        } catch let error as CoreError {
            throw APIError(error, caller: caller, retry: self.retry)
        }
    }
}
