internal import RedisClient

/// What the layers above report of the store: whether decisions can be made now, and the client's live figures.
extension Broker {
    /// The Redis client's figures at this instant, for metrics read at scrape time.
    public struct StoreFigures: Sendable, Equatable {
        /// Commands sent and not yet answered.
        public let inFlight: Int
        /// A connection is up with every script loaded.
        public let connected: Bool
    }

    public var storeFigures: StoreFigures {
        StoreFigures(inFlight: self.redis.inFlight, connected: self.redis.isReady)
    }

    /// Ready only while Redis answers a round trip now and every script is loaded; otherwise `unavailable` saying
    /// why.
    public func checkReady() async throws(CoreError) {
        guard self.redis.isReady else { throw .unavailable("Redis is not connected or the scripts are not loaded") }
        do {
            _ = try await self.redis.send(["PING"])
        } catch {
            throw .unavailable("Redis did not answer: \(error)")
        }
    }
}
