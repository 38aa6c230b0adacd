public import Hummingbird
public import Logging
public import RedisClient

/// Assembles Usher: the Redis pool as a service, the middleware and the routes. The executable and the tests both
/// start from here, so what is tested is what runs.
public func buildApplication(
    configuration: UsherConfiguration,
    logger: Logger? = nil
) -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "usher")
    logger.logLevel = configuration.logLevel
    let redis = RedisClient(configuration: configuration.redis, logger: logger)
    let router = buildRouter(redis: redis)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "usher"),
        services: [redis],
        logger: logger
    )
}

/// The routes on their own, for tests that bring their own Redis client.
public func buildRouter(redis: RedisClient) -> Router<BasicRequestContext> {
    let router = Router()
    router.addMiddleware {
        RequestIDMiddleware()
        LogRequestsMiddleware(.info)
        JSONErrorMiddleware()
    }
    HealthController(redis: redis).addRoutes(to: router)
    return router
}
