internal import Hummingbird
internal import Metrics
internal import UsherCore

/// `GET /metrics`: the process's metrics in Prometheus's text format, written by swift-prometheus. `access` nil serves
/// everyone: the private metrics port.
struct MetricsController {
    let broker: Broker
    let access: MetricsAccess?

    func addRoutes(to router: Router<UsherRequestContext>) {
        router.get("metrics", use: self.metrics)
    }

    @Sendable func metrics(_ request: Request, context: UsherRequestContext) throws -> Response {
        try self.access?.check(request)
        // The store's state and the requests in flight now, read at scrape time rather than on every change.
        let store = self.broker.storeFigures
        Gauge(label: "usher_redis_in_flight").record(store.inFlight)
        Gauge(label: "usher_redis_connected").record(store.connected ? 1 : 0)
        Gauge(label: HTTPMetrics.active).record(UsherMetrics.http.active.load(ordering: .relaxed))
        let body = UsherMetrics.exposition()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
