public import Hummingbird
public import Logging
public import RedisClient
internal import UsherCore

/// Assembles Usher: the Redis pool (with the core's scripts) as a service, the middleware and the routes. The
/// executable and the tests both start from here, so what is tested is what runs.
public func buildApplication(
    configuration: UsherConfiguration,
    logger: Logger? = nil
) -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "usher")
    logger.logLevel = configuration.logLevel
    let redis = RedisClient(configuration: configuration.redis, scripts: Broker.scripts, logger: logger)
    let router = buildRouter(configuration: configuration, redis: redis)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "usher"),
        services: [redis],
        logger: logger
    )
}

/// The routes on their own, for tests that bring their own Redis client.
public func buildRouter(configuration: UsherConfiguration, redis: RedisClient) -> Router<BasicRequestContext> {
    let router = Router()
    router.addMiddleware {
        RequestIDMiddleware()
        AccessLogMiddleware(level: .info)
        JSONErrorMiddleware()
    }
    HealthController(redis: redis, retryAfterSeconds: configuration.retry.unavailableSeconds).addRoutes(to: router)
    let services = APIServices(
        broker: Broker(redis: redis, configuration: configuration.broker),
        authenticator: Authenticator(adminToken: configuration.adminToken),
        body: JSONBody(maxBytes: configuration.maxBodyBytes),
        retry: configuration.retry
    )
    let sites = router.group("v1/sites")
    SitesController(services: services).addRoutes(to: sites)
    InvitationsController(services: services).addRoutes(to: sites)
    ChatsController(services: services).addRoutes(to: sites)
    AgentsController(services: services).addRoutes(to: sites)
    CannedMessagesController(services: services).addRoutes(to: sites)
    HoursController(services: services).addRoutes(to: sites)
    return router
}
