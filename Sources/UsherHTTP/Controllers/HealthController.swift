internal import Hummingbird
internal import RedisClient

/// Liveness and readiness for load balancers and orchestrators.
struct HealthController {
    let redis: RedisClient
    let retryAfterSeconds: Int

    struct Status: ResponseEncodable {
        let status: String
    }

    func addRoutes(to router: Router<UsherRequestContext>) {
        router.get("healthz", use: self.live)
        router.get("readyz", use: self.ready)
    }

    /// The process is up and serving HTTP; says nothing of Redis, so an orchestrator does not restart Usher when
    /// Redis is down (Usher recovers from that by itself).
    @Sendable func live(_ request: Request, context: UsherRequestContext) -> Status {
        Status(status: "ok")
    }

    /// Ready only while Redis answers a round trip now and every script is loaded.
    @Sendable func ready(_ request: Request, context: UsherRequestContext) async throws -> Status {
        guard self.redis.isReady else {
            throw APIError.unavailable(
                "not ready", retryAfterSeconds: self.retryAfterSeconds, cause: "Redis is not connected or the scripts are not loaded")
        }
        do {
            _ = try await self.redis.send(["PING"])
        } catch {
            throw APIError.unavailable("not ready", retryAfterSeconds: self.retryAfterSeconds, cause: "Redis did not answer: \(error)")
        }
        return Status(status: "ready")
    }
}
