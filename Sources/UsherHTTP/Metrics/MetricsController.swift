internal import Hummingbird
internal import Metrics
internal import RedisClient

/// `GET /metrics`: the process's metrics in Prometheus's text format, written by swift-prometheus. `access` nil serves
/// everyone: the private metrics port.
struct MetricsController {
    let redis: RedisClient
    let access: MetricsAccess?

    func addRoutes(to router: Router<UsherRequestContext>) {
        router.get("metrics", use: self.metrics)
    }

    @Sendable func metrics(_ request: Request, context: UsherRequestContext) throws -> Response {
        try self.access?.check(request)
        // The Redis client's state and the requests in flight now, read at scrape time rather than on every change.
        Gauge(label: "usher_redis_in_flight").record(self.redis.inFlight)
        Gauge(label: "usher_redis_connected").record(self.redis.isReady ? 1 : 0)
        Gauge(label: HTTPMetrics.active).record(UsherMetrics.http.active.load(ordering: .relaxed))
        let body = UsherMetrics.exposition()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
