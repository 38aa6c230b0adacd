public import Hummingbird
internal import UsherCore

/// An error as clients see it: an HTTP status and `{"error": {"code", "message", "field"?}}`, where `code` is stable
/// and machine-readable, `message` is for people and `field` names the request field at fault.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    /// Seconds after which a retry makes sense, sent as `Retry-After`.
    public let retryAfterSeconds: Int?
    /// What went wrong inside, for the server's log only; never sent to the client.
    var logDetail: String?
    /// The methods the path has, sent as `Allow` with a 405.
    var allow: String?
    /// A refused chat request (line full, closed): what the visitor is shown instead of an empty window, and for a
    /// closed queue its next opening.
    var firstResponse: FirstResponse?
    var opensAt: String?

    public init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Redis cannot be reached: the client should come back shortly. The cause goes to the log, not to the client.
    static func unavailable(_ message: String, retryAfterSeconds: Int, cause: String) -> APIError {
        var error = APIError(status: .serviceUnavailable, code: "unavailable", message: message, retryAfterSeconds: retryAfterSeconds)
        error.logDetail = cause
        return error
    }

    /// This instance sheds the request: it is answering, or waiting for Redis on, as much as it may.
    static func overloaded(retryAfterSeconds: Int) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "overloaded", message: "this instance is answering as many requests as it may; retry shortly",
            retryAfterSeconds: retryAfterSeconds
        )
    }

    /// The path exists, but not for this method.
    static func methodNotAllowed(_ method: HTTPRequest.Method, allow: String) -> APIError {
        var error = APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "\(method) is not allowed here; allowed: \(allow)")
        error.allow = allow
        return error
    }

    static func invalid(field: String, message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: message, field: field)
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let field: String?
        }

        let error: Detail
        let firstResponse: FirstResponse?
        let opensAt: String?
    }

    /// What the client is sent.
    var body: Body {
        Body(
            error: .init(code: self.code, message: self.message, field: self.field), firstResponse: self.firstResponse,
            opensAt: self.opensAt
        )
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(
            self.body,
            from: request,
            context: context
        )
        response.status = self.status
        if let retryAfterSeconds {
            response.headers[.retryAfter] = String(retryAfterSeconds)
        }
        if let allow {
            response.headers[.allow] = allow
        }
        // RFC 6750: a 401 names the scheme it wants, so clients such as Prometheus know to send a bearer token.
        if self.status == .unauthorized {
            response.headers[.wwwAuthenticate] = "Bearer"
        }
        return response
    }
}
