internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// Answers 405 with `Allow` (the path's methods, sorted) when no route took a request but its path has routes under
/// other methods; a path that no route has goes on to the router's 404. Added by `refuseOtherMethods()` after the
/// router's last route, so it wraps only the router's not-found answer: it runs after the middleware added first
/// (request id, observation, CORS with its preflight answer, JSON errors) and before any handler. No token is checked
/// first, since the path has no such operation for anyone.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A router of the same paths, each with one GET route answering with the path's methods in `Allow`, so a path
    /// matches here exactly as it does in the router the routes came from, path parameters included. HEAD counts
    /// only where a route has it: the router does not make HEAD routes from GET ones, so HEAD there is refused too.
    private let paths: RouterResponder<Context>

    init(routes: [Router<Context>.RouteDescription]) {
        let paths = Router(context: Context.self)
        for routes in Dictionary(grouping: routes, by: \.path.description).values {
            let allow = routes.map(\.method.rawValue).sorted().joined(separator: ", ")
            paths.get(routes[0].path) { _, _ in Response(status: .noContent, headers: [.allow: allow]) }
        }
        self.paths = paths.buildResponder()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var head = request.head
        head.method = .get
        // Like the router, the lookup names the route it matched in the context, so a 405 is counted under its route.
        let found = try await self.paths.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
        guard let allow = found.headers[.allow] else {
            return try await next(request, context)
        }
        throw APIError.methodNotAllowed(request.method, allow: allow)
    }
}

extension Router {
    /// Refuses, with 405, a method a path of this router does not have. Call it after the last route: routes added
    /// later are not among the paths it knows.
    func refuseOtherMethods() {
        self.add(middleware: MethodNotAllowedMiddleware(routes: self.routes))
    }
}
