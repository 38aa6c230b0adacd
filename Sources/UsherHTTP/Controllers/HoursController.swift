internal import Hummingbird
internal import UsherCore

/// Ops set when the site and its queues take chats; outside those hours invitations are withheld and chat requests
/// are answered with the `unavailable` message and the next opening.
struct HoursController {
    let broker: Broker

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.put(":site/hours", use: self.put)
        group.get(":site/hours", use: self.get)
        group.delete(":site/hours", use: self.delete)
    }

    @Sendable func put(_ request: Request, context: SiteRequestContext) async throws -> HoursResponse {
        let body = try await request.decode(as: BusinessHours.self, context: context)
        return HoursResponse(hours: try await self.broker.putHours(site: context.site, caller: context.caller, hours: body))
    }

    @Sendable func get(_ request: Request, context: SiteRequestContext) async throws -> HoursResponse {
        guard let hours = try await self.broker.hours(site: context.site, caller: context.caller) else {
            throw CoreError.notFound("the site has no business hours")
        }
        return HoursResponse(hours: hours)
    }

    @Sendable func delete(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        try await self.broker.deleteHours(site: context.site, caller: context.caller)
        return .noContent
    }
}

/// The business hours as saved.
struct HoursResponse: ResponseEncodable {
    let hours: BusinessHours

    func encode(to encoder: any Encoder) throws {
        try self.hours.encode(to: encoder)
    }
}
