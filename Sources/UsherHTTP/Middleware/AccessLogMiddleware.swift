internal import Hummingbird
internal import Logging

/// One log line per request once it is answered: method, path, status and duration. The request id that
/// Hummingbird puts in the logger's metadata ties it to everything else logged for the request.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.log(
            level: self.level,
            "request",
            metadata: [
                "http.method": "\(request.method)",
                "http.path": "\(request.uri.path)",
                "http.status": "\(response.status.code)",
                "http.duration_us": "\(microseconds)",
            ]
        )
        return response
    }
}
