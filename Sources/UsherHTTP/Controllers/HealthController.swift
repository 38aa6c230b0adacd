internal import Hummingbird
internal import UsherCore

/// Liveness and readiness for load balancers and orchestrators.
struct HealthController {
    let broker: Broker
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

    /// Ready only while Redis answers a round trip now and every script is loaded (the core checks).
    @Sendable func ready(_ request: Request, context: UsherRequestContext) async throws -> Status {
        do {
            try await self.broker.checkReady()
        } catch {
            throw APIError.unavailable("not ready", retryAfterSeconds: self.retryAfterSeconds, cause: "\(error)")
        }
        return Status(status: "ready")
    }
}
