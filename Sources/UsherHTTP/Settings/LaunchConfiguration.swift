/// What `usher serve` is started with: the application's configuration, and where Redis is (or, when no URL is
/// given, how to start a private redis-server). Read once from flags and environment (see `Setting`).
public struct LaunchConfiguration: Sendable {
    public var usher: UsherConfiguration
    /// `redis://[user:password@]host:port/db`, already applied to `usher.redis`; nil starts a private redis-server.
    public var redisURL: String?
    /// The binary of the private redis-server, and where it keeps its data.
    public var redisServer: String
    public var dataDirectory: String

    public init(
        usher: UsherConfiguration = UsherConfiguration(),
        redisURL: String? = nil,
        redisServer: String = "redis-server",
        dataDirectory: String = "data/redis"
    ) {
        self.usher = usher
        self.redisURL = redisURL
        self.redisServer = redisServer
        self.dataDirectory = dataDirectory
    }

    /// Reads `settings`, each from its flag when one was given, else from its environment variable when that is set
    /// and not empty, else keeping its default; settings not named keep their defaults.
    public init(reading settings: [(setting: Setting, flag: String?)], environment: [String: String]) throws(SettingError) {
        self.init()
        for (setting, flag) in settings {
            guard let text = flag ?? environment[setting.variable].flatMap({ $0.isEmpty ? nil : $0 }) else { continue }
            try setting.read(text, into: &self)
        }
        if let url = self.redisURL {
            do {
                try self.usher.redis.apply(url: url)
            } catch {
                throw SettingError(error.description)
            }
        }
        if !self.usher.redis.clusterSeeds.isEmpty {
            do {
                try self.usher.redis.validateCluster()
            } catch {
                throw SettingError(error.description)
            }
        }
    }

    /// True when a Redis is named (a URL or a cluster), so that `serve` starts none of its own.
    public var namesRedis: Bool { self.redisURL != nil || !self.usher.redis.clusterSeeds.isEmpty }
}
