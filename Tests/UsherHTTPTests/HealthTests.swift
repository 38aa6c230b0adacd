import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RedisClient
import RedisTestSupport
import Testing
import UsherHTTP

@Suite("health and readiness")
struct HealthTests {
    static func configuration(redis: RedisConfiguration) -> UsherConfiguration {
        var redis = redis
        redis.reconnectMaxMilliseconds = 500
        return UsherConfiguration(redis: redis, logLevel: .error)
    }

    static func status(_ client: some TestClientProtocol, _ uri: String) async throws -> HTTPResponse.Status {
        try await client.execute(uri: uri, method: .get) { $0.status }
    }

    @Test("healthz answers 200 even while Redis is unreachable")
    func liveWithoutRedis() async throws {
        // Nothing listens on port 1 on loopback.
        let app = buildApplication(configuration: Self.configuration(redis: RedisConfiguration(port: 1)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test("readyz is 503 with a JSON error and Retry-After while Redis is unreachable")
    func notReadyWithoutRedis() async throws {
        let app = buildApplication(configuration: Self.configuration(redis: RedisConfiguration(port: 1)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let error = body?["error"] as? [String: Any]
                #expect(error?["code"] as? String == "unavailable")
                #expect(error?["message"] as? String == "not ready")
            }
        }
    }

    @Test("readyz is 200 once Redis answers and the scripts are loaded")
    func readyWithRedis() async throws {
        try await TestRedis.withConfiguration { redis in
            let app = buildApplication(configuration: Self.configuration(redis: redis))
            try await app.test(.router) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await Self.status(client, "/readyz")) == .ok
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(String(buffer: response.body) == #"{"status":"ready"}"#)
                }
            }
        }
    }

    @Test("unknown routes get a JSON 404, and every response carries a request id")
    func notFound() async throws {
        let app = buildApplication(configuration: Self.configuration(redis: RedisConfiguration(port: 1)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((body?["error"] as? [String: Any])?["code"] as? String == "not_found")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
            }
        }
    }
}

/// Readiness windows measured in wall-clock time; `scripts/test` runs the *TimingTests suites on their own.
@Suite("readiness follows Redis")
struct ReadinessTimingTests {
    @Test("readyz turns 503 within 2 s of Redis stopping and 200 within 5 s of it returning, without a restart")
    func followsRedis() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-ready-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let servers = PrivateServers()
        let port = try await servers.start(dataDirectory: directory).port
        let app = buildApplication(configuration: HealthTests.configuration(redis: RedisConfiguration(port: port)))
        do {
            try await app.test(.router) { client in
                try await TestRedis.eventually("readyz is 200", seconds: TestRedis.readySeconds) {
                    (try? await HealthTests.status(client, "/readyz")) == .ok
                }
                await servers.stopAll()
                try await TestRedis.eventually("readyz is 503", seconds: 2) {
                    (try? await HealthTests.status(client, "/readyz")) == .serviceUnavailable
                }
                _ = try await servers.start(port: port, dataDirectory: directory)
                try await TestRedis.eventually("readyz is 200 again", seconds: 5) {
                    (try? await HealthTests.status(client, "/readyz")) == .ok
                }
            }
        } catch {
            await servers.stopAll()
            throw error
        }
        await servers.stopAll()
    }
}
