internal import Hummingbird
internal import UsherCore

/// Ops set when the site and its queues take chats; outside those hours invitations are withheld and chat requests
/// are answered with the `unavailable` message and the next opening.
struct HoursController {
    let services: APIServices

    func addRoutes(to group: RouterGroup<UsherRequestContext>) {
        group.put(":site/hours", use: self.put)
        group.get(":site/hours", use: self.get)
        group.delete(":site/hours", use: self.delete)
    }

    @Sendable func put(_ request: Request, context: UsherRequestContext) async throws -> HoursResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let body = try await self.services.body.decode(BusinessHours.self, from: request)
        let hours = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.putHours(site: site, caller: caller, hours: body)
        }
        return HoursResponse(hours: hours)
    }

    @Sendable func get(_ request: Request, context: UsherRequestContext) async throws -> HoursResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let hours = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.hours(site: site, caller: caller)
        }
        guard let hours else { throw APIError(status: .notFound, code: "not_found", message: "the site has no business hours") }
        return HoursResponse(hours: hours)
    }

    @Sendable func delete(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.deleteHours(site: site, caller: caller)
        }
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
