internal import Hummingbird
internal import UsherCore

/// Ops edit the site's canned first responses; templates are checked when saved.
struct CannedMessagesController {
    let broker: Broker

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.get(":site/canned-messages", use: self.list)
        group.put(":site/canned-messages/:name", use: self.put)
        group.get(":site/canned-messages/:name", use: self.get)
        group.delete(":site/canned-messages/:name", use: self.delete)
    }

    @Sendable func list(_ request: Request, context: SiteRequestContext) async throws -> CannedMessageListResponse {
        let messages = try await self.broker.cannedMessages(site: context.site, caller: context.caller)
        return CannedMessageListResponse(cannedMessages: messages.map(CannedMessageResponse.init))
    }

    @Sendable func put(_ request: Request, context: SiteRequestContext) async throws -> EditedResponse<CannedMessageResponse> {
        let name = try context.parameters.id("name")
        let body = try await request.decode(as: CannedMessageBody.self, context: context)
        let (saved, created) = try await self.broker.putCannedMessage(site: context.site, caller: context.caller, name: name, message: body.message)
        return EditedResponse(status: created ? .created : .ok, response: CannedMessageResponse(saved))
    }

    @Sendable func get(_ request: Request, context: SiteRequestContext) async throws -> CannedMessageResponse {
        let message = try await self.broker.cannedMessage(site: context.site, caller: context.caller, name: try context.parameters.id("name"))
        return CannedMessageResponse(message)
    }

    @Sendable func delete(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        try await self.broker.deleteCannedMessage(site: context.site, caller: context.caller, name: try context.parameters.id("name"))
        return .noContent
    }
}
