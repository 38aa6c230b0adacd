internal import UsherCore

/// One read of a site's capacity, as every stream of the site receives it.
enum CapacityReading: Sendable, Equatable {
    /// The `capacity` event, encoded once for all the streams.
    case event(String)
    /// Redis is away for now: streams keep their clients and say nothing new.
    case unavailable
    /// The core refused the read (the site is gone, say): streams end with an `error` event.
    case refused(CoreError)

    /// Reads the view as the root admin; whoever receives it was authorized on its own.
    static func read(site: String, broker: Broker) async -> CapacityReading {
        let capacity: SiteCapacity
        do {
            capacity = try await broker.capacity(site: site, caller: .admin)
        } catch .unavailable {
            return .unavailable
        } catch {
            return .refused(error)
        }
        do {
            return .event(try CapacityFeedController.event("capacity", CapacityResponse(capacity)))
        } catch {
            return .unavailable
        }
    }
}
