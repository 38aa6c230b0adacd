internal import HTTPTypes
internal import Hummingbird

/// Returns the request id that Hummingbird puts in every request's log lines as `X-Request-Id`, so a client's
/// report can be matched to the server's logs. Sits outside `JSONErrorMiddleware`, so errors carry it too.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
