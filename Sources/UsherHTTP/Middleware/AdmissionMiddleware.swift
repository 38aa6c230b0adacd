internal import Hummingbird
internal import Synchronization
internal import UsherCore

/// Sheds load at once instead of queueing it: past `Admission.limit` site API requests being answered on this
/// instance, a poll is withheld as `unavailable` (polls fail closed) and any other request gets 503, both with
/// `Retry-After`, so that an overload turns into fast refusals rather than a storm of timeouts. A request counts
/// once its caller is read and its body has arrived: a client that drips its body holds its own connection (until
/// the request read deadline), not a place among the requests being answered.
struct AdmissionMiddleware<Context: RequestContext>: RouterMiddleware {
    let admission: Admission
    let retryAfterSeconds: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        do {
            _ = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw RequestBodyDecoder.tooLarge(context.maxUploadSize)
        }
        guard self.admission.enter() else {
            if Self.isPoll(request) {
                return try InvitationResponse(.withhold(reason: .unavailable, retryAfterSeconds: self.retryAfterSeconds))
                    .response(from: request, context: context)
            }
            throw APIError.overloaded(retryAfterSeconds: self.retryAfterSeconds)
        }
        defer { self.admission.leave() }
        return try await next(request, context)
    }

    /// `POST /v1/sites/{site}/invitations`, the only route under this middleware with four segments ending so.
    static func isPoll(_ request: Request) -> Bool {
        guard request.method == .post else { return false }
        let segments = request.uri.path.split(separator: "/")
        return segments.count == 4 && segments[3] == "invitations"
    }
}

/// The site API requests being answered on this instance, and how many may be.
final class Admission: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var current: Int { self.inFlight.load(ordering: .relaxed) }

    /// Counts a request in if there is room.
    func enter() -> Bool {
        guard self.inFlight.wrappingAdd(1, ordering: .relaxed).newValue > self.limit else { return true }
        self.inFlight.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        self.inFlight.wrappingSubtract(1, ordering: .relaxed)
    }
}
