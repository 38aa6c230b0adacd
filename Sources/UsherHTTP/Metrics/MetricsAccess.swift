internal import Hummingbird

/// Who may scrape `/metrics` on the API's port: it names every site, queue and load, so it is not public. Prometheus
/// sends `Authorization: Bearer <metrics token>`; the admin token works too. With neither configured it is closed.
struct MetricsAccess: Sendable {
    let tokens: [String]

    init(metricsToken: String?, adminToken: String?) {
        self.tokens = [metricsToken, adminToken].compactMap { $0 }.filter { !$0.isEmpty }
    }

    func check(_ request: Request) throws(APIError) {
        guard !self.tokens.isEmpty else {
            throw APIError(
                status: .forbidden, code: "forbidden",
                message: "/metrics is closed on this port: configure a metrics token or a metrics port"
            )
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "send Authorization: Bearer <metrics token>")
        }
        let token = String(header.dropFirst("Bearer ".count))
        // Every configured token is compared, so which one matched does not show in the time taken either.
        let matches = self.tokens.reduce(false) { $0 || Authenticator.constantTimeEquals(token, $1) }
        guard matches else {
            throw APIError(status: .forbidden, code: "forbidden", message: "this token may not read the metrics")
        }
    }
}
