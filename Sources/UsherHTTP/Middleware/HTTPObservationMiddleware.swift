internal import Hummingbird
internal import Logging
internal import Metrics
internal import Synchronization

/// Per request, one clock reading for both: a log line once it is answered (method, path, status, duration; the
/// request id Hummingbird puts in the logger's metadata ties it to everything else logged for it) and the HTTP
/// metrics by route, method and status. Sits outside `JSONErrorMiddleware`, so every request has a status.
struct HTTPObservationMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        self.metrics.active.add(1, ordering: .relaxed)
        defer { self.metrics.active.subtract(1, ordering: .relaxed) }
        let status: HTTPResponse.Status
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status
        } catch {
            self.metrics.record(route: context.endpointPath, method: request.method, status: .internalServerError, since: started)
            throw error
        }
        let elapsed = self.metrics.record(route: context.endpointPath, method: request.method, status: status, since: started)
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.log(
            level: self.level,
            "request",
            metadata: [
                "http.method": "\(request.method)",
                "http.path": "\(request.uri.path)",
                "http.status": "\(status.code)",
                "http.duration_us": "\(microseconds)",
            ]
        )
        return response
    }
}

/// The HTTP metrics' handles, made once per route, method and status (making one validates its name, labels and
/// help in the backend, which costs more than recording), and the requests being answered, read when scraped.
/// Routes are the router's patterns (`/v1/sites/{site}/invitations`), so the label set stays bounded.
final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// The methods a label names; any other a client makes up is `other`, so made-up methods add no series.
    private static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .options, .patch, .trace, .connect]

    private struct Handles {
        let requests: Counter
        let duration: Timer
    }

    static let requests = "usher_http_requests_total"
    static let duration = "usher_http_request_duration_seconds"
    static let active = "usher_http_active_requests"

    let active = Atomic<Int>(0)
    private let handles = Mutex<[Key: Handles]>([:])

    init() {}

    @discardableResult
    func record(route: String?, method: HTTPRequest.Method, status: HTTPResponse.Status, since started: ContinuousClock.Instant) -> Duration {
        let elapsed = ContinuousClock.now - started
        let key = Key(route: route ?? "unknown", method: Self.knownMethods.contains(method) ? method.rawValue : "other", status: status.code)
        let handles = self.handles.withLock { handles in
            if let existing = handles[key] { return existing }
            let labels = [("route", key.route), ("method", key.method), ("status", String(key.status))]
            let made = Handles(requests: Counter(label: Self.requests, dimensions: labels), duration: Timer(label: Self.duration, dimensions: labels))
            handles[key] = made
            return made
        }
        handles.requests.increment()
        handles.duration.record(duration: elapsed)
        return elapsed
    }
}
