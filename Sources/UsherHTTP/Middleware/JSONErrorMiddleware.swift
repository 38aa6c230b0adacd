internal import Hummingbird

/// Turns every error into a response of `APIError`'s JSON shape, including Hummingbird's own (unknown route, bad
/// method, body too large), and hides anything unexpected behind a 500 that says nothing internal.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.apiError(for: error, context: context).response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            if let detail = error.logDetail {
                context.logger.warning("request failed", metadata: ["error.code": "\(error.code)", "error.detail": "\(detail)"])
            }
            return error
        case let error as HTTPError:
            return APIError(status: error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase)
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return APIError(status: .internalServerError, code: "internal", message: "internal error")
        }
    }

    /// A stable code for Hummingbird's own errors, derived from the status.
    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .badRequest: "bad_request"
        case .unsupportedMediaType: "unsupported_media_type"
        default: status.code < 500 ? "client_error" : "server_error"
        }
    }
}
