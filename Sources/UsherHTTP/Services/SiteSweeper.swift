internal import Logging
internal import ServiceLifecycle
internal import UsherCore

/// Sweeps every site on an interval (see `Broker.sweepAllSites`), so that deadlines pass at sites nobody calls.
struct SiteSweeper: Service {
    let broker: Broker
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await self.broker.sweepAllSites()
            } catch {
                self.logger.debug("sweeper: cannot sweep", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(self.broker.limits.sweepIntervalMilliseconds))
            }
        }
    }
}
