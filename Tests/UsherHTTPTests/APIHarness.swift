import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RedisClient
import RedisTestSupport
import UsherHTTP

/// Calls the v1 API of a running test application as JSON, with a token.
struct API: Sendable {
    static let adminToken = "test-admin-token"
    static let metricsToken = "test-metrics-token"

    let client: any TestClientProtocol
    let site: String

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let json: [String: any Sendable]

        var error: [String: any Sendable]? { self.json["error"] as? [String: any Sendable] }
        var errorCode: String? { self.error?["code"] as? String }
        subscript(path: String...) -> Any? {
            var value: Any? = self.json
            for key in path { value = (value as? [String: Any])?[key] }
            return value
        }
    }

    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = API.adminToken, body: Any? = nil, raw: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        if let token { headers[.authorization] = "Bearer \(token)" }
        let bytes: ByteBuffer? =
            if let raw { ByteBuffer(string: raw) } else { try body.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) } }
        return try await self.client.execute(uri: path, method: method, headers: headers, body: bytes) { response in
            let object = response.body.readableBytes == 0 ? nil : try? JSONSerialization.jsonObject(with: Data(buffer: response.body))
            return Reply(status: response.status, headers: response.headers, json: (object as? [String: any Sendable]) ?? [:])
        }
    }

    func sitePath(_ rest: String = "") -> String { "/v1/sites/\(self.site)\(rest)" }

    func token(role: String, agent: String? = nil, as token: String = API.adminToken) async throws -> String {
        var body: [String: Any] = ["role": role]
        if let agent { body["agent"] = agent }
        let reply = try await self.call(.post, self.sitePath("/tokens"), token: token, body: body)
        guard reply.status == .created, let value = reply.json["token"] as? String else {
            throw SetupFailure(what: "token issue: \(reply.status) \(reply.json)")
        }
        return value
    }

    /// Runs `body` against a fresh application on a real Redis, with a fresh site created by the admin.
    /// Router tests have no client address, so every request shares one per-address bucket: tests run without rate
    /// limits and per-address caps unless they set them (the hostile-website tests do).
    static var unlimited: [String: Any] {
        ["siteRequestsPerSecond": 0, "addressRequestsPerMinute": 0, "addressMaxHolds": 0, "addressMaxOpenChats": 0]
    }

    /// `live` serves over real sockets on loopback (the client address is then 127.0.0.1); `trustedProxies` as
    /// configured.
    static func run(
        settings: [String: Any] = [:], live: Bool = false, trustedProxies: [String] = [],
        _ body: @Sendable @escaping (API) async throws -> Void
    ) async throws {
        // Serialized once, so the closure below captures only Sendable bytes.
        let settingsJSON = String(
            decoding: try JSONSerialization.data(withJSONObject: Self.unlimited.merging(settings) { $1 }), as: UTF8.self
        )
        try await TestRedis.withConfiguration { redis in
            var configuration = Self.configuration(redis: redis)
            configuration.trustedProxies = trustedProxies
            let app = buildApplication(configuration: configuration)
            try await app.test(live ? .live : .router) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
                }
                let api = API(client: client, site: "s-" + UUID().uuidString.prefix(12).lowercased())
                let created = try await api.call(.put, api.sitePath(), raw: settingsJSON)
                guard created.status == .created else { throw SetupFailure(what: "site creation: \(created.status)") }
                try await body(api)
            }
        }
    }

    /// Runs `body` against two applications on one real Redis, as two Usher instances would be, sharing a fresh site
    /// created by the admin.
    static func runTwoInstances(_ body: @Sendable @escaping (API, API) async throws -> Void) async throws {
        try await TestRedis.withConfiguration { redis in
            let first = buildApplication(configuration: Self.configuration(redis: redis))
            let second = buildApplication(configuration: Self.configuration(redis: redis))
            try await first.test(.router) { one in
                try await second.test(.router) { two in
                    for client in [one, two] {
                        try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                            (try? await client.execute(uri: "/readyz", method: .get) { $0.status }) == .ok
                        }
                    }
                    let site = "two-" + UUID().uuidString.prefix(10).lowercased()
                    let a = API(client: one, site: site)
                    let created = try await a.call(.put, a.sitePath(), body: Self.unlimited)
                    guard created.status == .created else { throw SetupFailure(what: "site creation: \(created.status)") }
                    try await body(a, API(client: two, site: site))
                }
            }
        }
    }

    static func configuration(redis: RedisConfiguration) -> UsherConfiguration {
        var redis = redis
        redis.reconnectMaxMilliseconds = 500
        redis.connectTimeoutMilliseconds = 5_000
        // Short streams and a quick sampler, so tests see a stream end and the gauges and history fill.
        let observation = ObservationConfiguration(
            metricsToken: Self.metricsToken, sampleIntervalMilliseconds: 200, streamHeartbeatSeconds: 1, streamMaxSeconds: 3
        )
        return UsherConfiguration(adminToken: Self.adminToken, redis: redis, observation: observation, logLevel: .error)
    }
}

struct SetupFailure: Error, CustomStringConvertible {
    let what: String
    var description: String { "test setup failed: \(self.what)" }
}
