internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Synchronization
internal import UsherCore

/// CORS for the website endpoints (`/v1/sites/{site}/invitations…` and `/chats…`): a browser on one of the site's
/// `allowedOrigins` may call them; any other origin gets no CORS headers (the browser then blocks the answer) and a
/// 403 to its preflight. Sits outside `JSONErrorMiddleware`, so refusals carry the headers too and the widget can
/// read them.
struct SiteCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: AllowedOriginsCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], let site = Self.websiteSite(request.uri.path) else {
            return try await next(request, context)
        }
        let allowed = await self.origins.allows(origin, site: site)
        if request.method == .options {
            guard allowed else {
                return try APIError(status: .forbidden, code: "origin_not_allowed", message: "\(origin) is not among the site's allowed origins")
                    .response(from: request, context: context)
            }
            var response = Response(status: .noContent)
            Self.allow(origin, in: &response.headers)
            response.headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            response.headers[.accessControlMaxAge] = "600"
            return response
        }
        var response = try await next(request, context)
        if allowed { Self.allow(origin, in: &response.headers) }
        return response
    }

    private static func allow(_ origin: String, in headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlExposeHeaders] = "Retry-After, X-Request-Id"
        headers[.vary] = "Origin"
    }

    /// The site of a website endpoint's path, nil for any other path.
    static func websiteSite(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 4, parts[0] == "v1", parts[1] == "sites", parts[3] == "invitations" || parts[3] == "chats" else { return nil }
        return String(parts[2])
    }
}

/// Each site's allowed origins as this instance last read them, trusted for `ttlSeconds`; an origin change reaches
/// every instance within that time. Unreadable (Redis away) means not allowed.
final class AllowedOriginsCache: Sendable {
    private struct Entry {
        let origins: Set<String>
        let expires: ContinuousClock.Instant
    }

    private let broker: Broker
    private let ttl: Duration
    private let maxSites: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(broker: Broker, ttlSeconds: Int, maxSites: Int) {
        self.broker = broker
        self.ttl = .seconds(ttlSeconds)
        self.maxSites = maxSites
    }

    func allows(_ origin: String, site: String) async -> Bool {
        let now = ContinuousClock.now
        if let entry = self.entries.withLock({ $0[site] }), entry.expires > now {
            return entry.origins.contains(origin)
        }
        guard let origins = try? await self.broker.allowedOrigins(site: site) else { return false }
        let entry = Entry(origins: Set(origins), expires: now + self.ttl)
        self.entries.withLock { entries in
            if entries.count >= self.maxSites { entries.removeAll(keepingCapacity: true) }
            entries[site] = entry
        }
        return entry.origins.contains(origin)
    }
}
