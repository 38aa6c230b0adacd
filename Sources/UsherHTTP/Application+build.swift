public import Hummingbird
internal import HummingbirdCore
public import Logging
internal import RedisClient
internal import ServiceLifecycle
public import UsherCore

/// Assembles Usher: the Redis pool (with the core's scripts) and the site sampler as services, the middleware and
/// the routes, and `/metrics` on its own port when one is configured. The executable and the tests both start from
/// here, so what is tested is what runs.
public func buildApplication(
    configuration: UsherConfiguration,
    logger: Logger? = nil
) -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "usher")
    logger.logLevel = configuration.logLevel
    bootstrapMetrics()
    let redis = RedisClient(configuration: configuration.redis, scripts: Broker.scripts, metricNames: MetricsCatalog.redis, logger: logger)
    // One broker for the routes and the background services: one canned-message cache, one set of timers.
    let broker = Broker(redis: redis, configuration: configuration.broker)
    // One capacity reader per site with open streams, for all of them; stopped after the server, whose streams
    // end with it.
    let feeds = CapacityFeeds(broker: broker, intervalMilliseconds: configuration.observation.streamIntervalMilliseconds)
    let router = buildRouter(configuration: configuration, broker: broker, feeds: feeds)
    var services: [any Service] = [
        redis,
        SiteSampler(broker: broker, configuration: configuration.observation, logger: logger),
        SiteSweeper(broker: broker, logger: logger),
        feeds,
    ]
    // Both ports close connections that sit idle or take too long to send a request, so no client holds one forever.
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [RequestReadDeadlineHandler(timeoutSeconds: configuration.requestReadTimeoutSeconds)],
        idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds))
    )
    if let port = configuration.observation.metricsPort {
        let metricsRouter = Router(context: UsherRequestContext.self)
        MetricsController(broker: broker, access: nil).addRoutes(to: metricsRouter)
        metricsRouter.refuseOtherMethods()
        services.append(
            Application(
                router: metricsRouter,
                server: .http1(configuration: http1),
                configuration: .init(address: .hostname(configuration.host, port: port), serverName: "usher-metrics"),
                logger: logger
            )
        )
    }
    return Application(
        router: router,
        server: .http1(configuration: http1),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "usher"),
        services: services,
        logger: logger
    )
}

/// Makes swift-metrics report into Usher's Prometheus registry. Idempotent; call it before creating a Redis client
/// whose counts should be reported.
public func bootstrapMetrics() {
    _ = UsherMetrics.registry
}

/// The routes on their own, for tests that bring their own broker; `feeds` serves the capacity streams once running.
func buildRouter(
    configuration: UsherConfiguration, broker: Broker, feeds: CapacityFeeds, admission: Admission? = nil
) -> Router<UsherRequestContext> {
    let admission = admission ?? Admission(limit: configuration.maxRequestsInFlight)
    bootstrapMetrics()
    let observation = configuration.observation
    let router = Router(context: UsherRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        HTTPObservationMiddleware(level: .info, metrics: UsherMetrics.http)
        SiteCORSMiddleware(
            origins: AllowedOriginsCache(broker: broker, ttlSeconds: observation.corsCacheSeconds, maxSites: observation.corsCacheSites)
        )
        JSONErrorMiddleware()
    }
    HealthController(broker: broker, retryAfterSeconds: configuration.retry.unavailableSeconds).addRoutes(to: router)
    if observation.metricsPort == nil {
        let access = MetricsAccess(metricsToken: observation.metricsToken, adminToken: configuration.adminToken)
        MetricsController(broker: broker, access: access).addRoutes(to: router)
    }
    StaticFilesController().addRoutes(to: router)
    let authenticator = Authenticator(
        adminToken: configuration.adminToken, clientAddress: ClientAddress(trustedProxies: Set(configuration.trustedProxies))
    )
    let sites = router.group("v1/sites")
        .add(middleware: SiteRoutesMiddleware(authenticator: authenticator, maxBodyBytes: configuration.maxBodyBytes, retry: configuration.retry))
        .group(context: SiteRequestContext.self)
        .add(middleware: AdmissionMiddleware(admission: admission, retryAfterSeconds: configuration.retry.unavailableSeconds))
    SitesController(broker: broker).addRoutes(to: sites)
    CapacityFeedController(broker: broker, retry: configuration.retry, configuration: observation, openStreams: StreamCounter(), feeds: feeds)
        .addRoutes(to: sites)
    InvitationsController(broker: broker, retry: configuration.retry).addRoutes(to: sites)
    ChatsController(broker: broker).addRoutes(to: sites)
    AgentsController(broker: broker).addRoutes(to: sites)
    CannedMessagesController(broker: broker).addRoutes(to: sites)
    HoursController(broker: broker).addRoutes(to: sites)
    router.refuseOtherMethods()
    return router
}
