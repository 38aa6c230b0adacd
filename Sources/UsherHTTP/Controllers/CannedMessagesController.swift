internal import Hummingbird
internal import UsherCore

/// Ops edit the site's canned first responses; templates are checked when saved.
struct CannedMessagesController {
    let services: APIServices

    func addRoutes(to group: RouterGroup<UsherRequestContext>) {
        group.get(":site/canned-messages", use: self.list)
        group.put(":site/canned-messages/:name", use: self.put)
        group.get(":site/canned-messages/:name", use: self.get)
        group.delete(":site/canned-messages/:name", use: self.delete)
    }

    @Sendable func list(_ request: Request, context: UsherRequestContext) async throws -> CannedMessageListResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let messages = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.cannedMessages(site: site, caller: caller)
        }
        return CannedMessageListResponse(cannedMessages: messages.map(CannedMessageResponse.init))
    }

    @Sendable func put(_ request: Request, context: UsherRequestContext) async throws -> EditedResponse<CannedMessageResponse> {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let name = try context.parameters.id("name")
        let body = try await self.services.body.decode(CannedMessageBody.self, from: request)
        let (saved, created) = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.putCannedMessage(site: site, caller: caller, name: name, message: body.message)
        }
        return EditedResponse(status: created ? .created : .ok, response: CannedMessageResponse(saved))
    }

    @Sendable func get(_ request: Request, context: UsherRequestContext) async throws -> CannedMessageResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let name = try context.parameters.id("name")
        let message = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.cannedMessage(site: site, caller: caller, name: name)
        }
        return CannedMessageResponse(message)
    }

    @Sendable func delete(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let name = try context.parameters.id("name")
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.deleteCannedMessage(site: site, caller: caller, name: name)
        }
        return .noContent
    }
}
