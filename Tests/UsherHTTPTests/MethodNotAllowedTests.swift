import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisClient
import RedisTestSupport
import Testing
import UsherCore
@testable import UsherHTTP

/// A path that exists but not for the request's method is 405 with `Allow`; a path that does not exist stays 404.
@Suite("405 for a method a path does not have")
struct MethodNotAllowedTests {
    static func expect405(_ reply: API.Reply, allow: String, _ what: String) {
        #expect(reply.status == .methodNotAllowed, "\(what) answered \(reply.status)")
        #expect(reply.headers[.allow] == allow, "\(what): Allow \(reply.headers[.allow] ?? "absent")")
        #expect(reply.errorCode == "method_not_allowed", "\(what): \(reply.json)")
    }

    @Test("a wrong method on a static path, a path with parameters or a health path is 405 with Allow and a JSON error")
    func wrongMethod() async throws {
        try await API.run { api in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/v1/widget.js", "GET"),
                (.post, "/dashboard", "GET"),
                (.trace, "/healthz", "GET"),
                (.put, "/readyz", "GET"),
                (.post, "/metrics", "GET"),
                (.delete, api.sitePath("/invitations"), "POST"),
                (.get, api.sitePath("/chats/c1/end"), "POST"),
                (.delete, api.sitePath(), "GET, PUT"),
                (.post, api.sitePath("/hours"), "DELETE, GET, PUT"),
                (.patch, api.sitePath("/canned-messages/hello"), "DELETE, GET, PUT"),
                (HTTPRequest.Method("QUERY")!, api.sitePath("/capacity/stream"), "GET"),
            ]
            for (method, path, allow) in cases {
                Self.expect405(try await api.call(method, path), allow: allow, "\(method) \(path)")
            }
        }
    }

    @Test("HEAD is a method like any other: a GET path has no HEAD route, so HEAD there is 405 with Allow: GET")
    func head() async throws {
        try await API.run { api in
            let reply = try await api.call(.head, "/healthz")
            #expect(reply.status == .methodNotAllowed)
            #expect(reply.headers[.allow] == "GET")
        }
    }

    @Test("no token is checked before a 405: the path has no such operation for anyone")
    func noAuthFirst() async throws {
        try await API.run { api in
            Self.expect405(try await api.call(.delete, api.sitePath("/invitations"), token: nil), allow: "POST", "without a token")
            Self.expect405(try await api.call(.get, api.sitePath("/reconcile"), token: "no-such-token"), allow: "POST", "bad token")
        }
    }

    @Test("every route the router has answers 405 with its path's methods to a method it lacks")
    func everyRoute() async throws {
        let configuration = API.configuration(redis: RedisConfiguration(port: 1))
        let redis = RedisClient(configuration: configuration.redis, logger: TestRedis.logger)
        let broker = Broker(redis: redis, configuration: configuration.broker)
        let feeds = CapacityFeeds(broker: broker, intervalMilliseconds: configuration.observation.streamIntervalMilliseconds)
        let router = buildRouter(configuration: configuration, broker: broker, feeds: feeds)
        let methods = Dictionary(grouping: router.routes, by: \.path.description).mapValues { $0.map(\.method.rawValue).sorted() }
        #expect(methods.count > 20)
        try await API.run { api in
            for (pattern, allowed) in methods {
                let path = pattern.replacingOccurrences(of: #"\{[^}]+\}"#, with: "p1", options: .regularExpression)
                Self.expect405(try await api.call(.trace, path), allow: allowed.joined(separator: ", "), "TRACE \(pattern)")
            }
        }
    }

    @Test("a path no route has stays 404 without Allow, whatever the method")
    func unknownPath() async throws {
        try await API.run { api in
            for path in ["/nope", "/v1/sites", "/v1", "/healthz/more", api.sitePath("/invitations/i1"), api.sitePath("/chats/c1/end/x")] {
                for method in [HTTPRequest.Method.get, .delete] {
                    let reply = try await api.call(method, path)
                    #expect(reply.status == .notFound, "\(method) \(path) answered \(reply.status)")
                    #expect(reply.errorCode == "not_found", "\(method) \(path): \(reply.json)")
                    #expect(reply.headers[.allow] == nil)
                }
            }
        }
    }

    @Test("a handler's own 404 stays 404: the path and method exist, the chat does not")
    func handlerNotFound() async throws {
        try await API.run { api in
            let reply = try await api.call(.get, api.sitePath("/chats/no-such-chat"))
            #expect(reply.status == .notFound)
            #expect(reply.headers[.allow] == nil)
        }
    }

    @Test("CORS preflight is still answered before routing; a 405 to an allowed origin carries CORS headers")
    func preflight() async throws {
        try await API.run(settings: ["allowedOrigins": ["https://shop.example"]]) { api in
            let preflight = try await api.call(
                .options, api.sitePath("/invitations"), token: nil,
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://shop.example")
            let wrong = try await api.call(.delete, api.sitePath("/invitations"), token: nil, headers: [.origin: "https://shop.example"])
            Self.expect405(wrong, allow: "POST", "DELETE from the site's origin")
            #expect(wrong.headers[.accessControlAllowOrigin] == "https://shop.example")
            // Without Origin it is no preflight, and no route has OPTIONS.
            Self.expect405(try await api.call(.options, api.sitePath("/invitations"), token: nil), allow: "POST", "OPTIONS without Origin")
        }
    }
}
