import Foundation
import Testing

@testable import UsherHTTP

@Suite("the table of settings")
struct SettingsTableTests {
    private func read(flags: [Setting: String] = [:], environment: [String: String] = [:], only: [Setting] = Setting.allCases)
        throws(SettingError) -> LaunchConfiguration
    {
        try LaunchConfiguration(reading: only.map { ($0, flags[$0]) }, environment: environment)
    }

    private func failure(flags: [Setting: String] = [:], environment: [String: String] = [:]) -> String? {
        do {
            _ = try self.read(flags: flags, environment: environment)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("README's table of settings is the one the table generates (`usher settings` prints it)")
    func readmeAgrees() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).components(separatedBy: "\n")
        let marker = try #require(lines.firstIndex { $0.hasPrefix("<!-- The settings table below is generated") })
        let table = lines[(marker + 1)...].prefix { !$0.isEmpty }.joined(separator: "\n")
        #expect(table == Setting.markdownTable, "README.md's table differs; replace it with the output of `usher settings`")
    }

    @Test("with neither flag nor environment every setting keeps its default, and every default is within its range")
    func defaults() throws {
        let configuration = try self.read()
        for setting in Setting.allCases {
            #expect(setting.value(in: configuration) == setting.byDefault)
            if let range = setting.range, case .value(let text) = setting.byDefault {
                #expect(range.contains(try #require(Int(text))), "\(setting.variable)")
            }
        }
        #expect(configuration.redisURL == nil)
        #expect(configuration.usher.redis == LaunchConfiguration().usher.redis)
    }

    @Test("a flag wins over the environment, the environment over the default; an empty variable counts as unset")
    func precedence() throws {
        #expect(try self.read(flags: [.sweepLimit: "7"], environment: ["USHER_SWEEP_LIMIT": "9"]).usher.broker.sweepLimit == 7)
        #expect(try self.read(environment: ["USHER_SWEEP_LIMIT": "9"]).usher.broker.sweepLimit == 9)
        #expect(try self.read(environment: ["USHER_SWEEP_LIMIT": ""]).usher.broker.sweepLimit == 20)
        #expect(try self.read(environment: ["USHER_HOST": ""]).usher.host == "127.0.0.1")
        #expect(try self.read(environment: ["USHER_METRICS_PORT": "9100"]).usher.observation.metricsPort == 9_100)
        #expect(try self.read(environment: ["USHER_ADMIN_TOKEN": "secret"]).usher.adminToken == "secret")
        #expect(try self.read(environment: ["USHER_LOG_LEVEL": "ERROR"]).usher.logLevel == .error)
        #expect(try self.read(environment: ["USHER_TRUSTED_PROXIES": " 10.0.0.1, ,10.0.0.2 "]).usher.trustedProxies == ["10.0.0.1", "10.0.0.2"])
    }

    @Test("a setting a command does not read keeps its default, whatever the environment says")
    func unreadSettings() throws {
        let configuration = try self.read(environment: ["USHER_PORT": "not a port", "USHER_SWEEP_LIMIT": "3"], only: [.sweepLimit])
        #expect(configuration.usher.port == 8_080)
        #expect(configuration.usher.broker.sweepLimit == 3)
    }

    @Test("a value that cannot be used names its variable, whether it came from the flag or the environment")
    func errors() {
        #expect(self.failure(environment: ["USHER_SWEEP_LIMIT": "0"]) == "USHER_SWEEP_LIMIT must be within 1...1000, got 0")
        #expect(self.failure(flags: [.port: "70000"]) == "USHER_PORT must be within 0...65535, got 70000")
        #expect(self.failure(environment: ["USHER_PORT": "eighty"]) == "USHER_PORT must be a whole number, got eighty")
        #expect(self.failure(environment: ["USHER_METRICS_PORT": "0"]) == "USHER_METRICS_PORT must be within 1...65535, got 0")
        #expect(self.failure(flags: [.logLevel: "loud"]) == "unknown log level loud")
        #expect(
            self.failure(environment: ["USHER_REDIS_URL": "http://x"]) == "invalid Redis URL http://x: expected redis://[user:password@]host:port/db")
    }

    @Test("the Redis URL sets where Redis is and leaves the client's other settings as they are")
    func redisURL() throws {
        let configuration = try self.read(flags: [.redisURL: "redis://u:p@redis.example:6390/2", .redisPoolSize: "5"])
        #expect(configuration.redisURL == "redis://u:p@redis.example:6390/2")
        #expect(configuration.usher.redis.host == "redis.example")
        #expect(configuration.usher.redis.port == 6_390)
        #expect(configuration.usher.redis.username == "u")
        #expect(configuration.usher.redis.password == "p")
        #expect(configuration.usher.redis.database == 2)
        #expect(configuration.usher.redis.poolSize == 5)
    }

    @Test("a Redis Cluster is named by host:port nodes, in database 0; the URL then gives only credentials")
    func redisCluster() throws {
        let configuration = try self.read(flags: [.redisCluster: "10.0.0.1:7000, 10.0.0.2:7001", .redisURL: "redis://u:p@ignored:1/0"])
        #expect(configuration.usher.redis.clusterSeeds == ["10.0.0.1:7000", "10.0.0.2:7001"])
        #expect(configuration.usher.redis.password == "p")
        #expect(configuration.namesRedis)
        #expect(try self.read(flags: [.redisCluster: "10.0.0.1:7000"]).namesRedis)
        #expect(!(try self.read()).namesRedis)
        #expect(self.failure(flags: [.redisCluster: "10.0.0.1"]) == "invalid Redis Cluster node 10.0.0.1: expected host:port")
        #expect(
            self.failure(flags: [.redisCluster: "10.0.0.1:7000", .redisURL: "redis://h:1/3"]) == "a Redis Cluster has only database 0, not 3"
        )
    }

    @Test("every setting has a field of its own: given a value, it reads that back and no other setting moves")
    func distinctFields() throws {
        for setting in Setting.allCases {
            let text: String
            switch setting.definition.kind {
            case .number(_, let range), .optionalNumber(_, let range, _):
                text = String(setting.byDefault == .value(String(range.lowerBound)) ? range.lowerBound + 1 : range.lowerBound)
            case .text, .optionalText: text = "redis://given:1/0"
            case .list: text = "a:1,b:2"
            case .logLevel: text = "critical"
            }
            let configuration = try self.read(flags: [setting: text])
            #expect(setting.value(in: configuration) == .value(text), "\(setting.flag)")
            for other in Setting.allCases where other != setting {
                #expect(other.value(in: configuration) == other.byDefault, "\(setting.flag) moved \(other.flag)")
            }
        }
    }

    @Test("the help names the variable and the default; the variable is the flag in capitals after USHER_")
    func help() {
        #expect(Setting.sweepLimit.flag == "--sweep-limit")
        #expect(Setting.sweepLimit.variable == "USHER_SWEEP_LIMIT")
        #expect(Setting.sweepLimit.help.hasSuffix("(USHER_SWEEP_LIMIT) [default: 20]"))
        #expect(Setting.adminToken.help.hasSuffix("(USHER_ADMIN_TOKEN) [default: none, the admin API is closed]"))
        #expect(Setting.trustedProxies.help.hasSuffix("(USHER_TRUSTED_PROXIES) [default: none]"))
        #expect(Set(Setting.allCases.map(\.variable)).count == Setting.allCases.count)
    }
}
