internal import Hummingbird
internal import UsherCore

/// Chats: the website's reactive and escalation requests and reads, the agent's first response and end.
struct ChatsController {
    let broker: Broker

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.post(":site/chats", use: self.request)
        group.get(":site/chats/:id", use: self.read)
        group.post(":site/chats/:id/cancel", use: self.cancel)
        group.post(":site/chats/:id/first-response", use: self.firstResponse)
        group.post(":site/chats/:id/end", use: self.end)
    }

    /// Refused (line full, closed), but never with an empty window: the error carries the visitor's message and
    /// when the queue opens again.
    @Sendable func request(_ request: Request, context: SiteRequestContext) async throws -> EditedResponse<VisitorChatResponse> {
        let body = try await request.decode(as: ChatRequestBody.self, context: context)
        let chat = try await self.broker.requestChat(site: context.site, caller: context.caller, request: body.request)
        // The visitor's open chat, asked for again (a retry): the same chat, not a new one.
        return EditedResponse(status: chat.existing ? .ok : .created, response: VisitorChatResponse(chat: VisitorChat(chat, changed: nil)))
    }

    /// The visitor reads its chat with `?visitor=`; ops may read any chat of the site without it.
    @Sendable func read(_ request: Request, context: SiteRequestContext) async throws -> VisitorChatResponse {
        let id = try context.parameters.id("id")
        let visitor = request.uri.queryParameters.get("visitor")
        let chat = try await self.broker.chat(site: context.site, caller: context.caller, id: id, visitor: visitor)
        return VisitorChatResponse(chat: VisitorChat(chat, changed: chat.firstResponseChanged))
    }

    /// The visitor leaves the waiting line; idempotent.
    @Sendable func cancel(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.id("id")
        let body = try await request.decode(as: VisitorBody.self, context: context)
        try await self.broker.cancelChat(site: context.site, caller: context.caller, chat: id, visitor: body.visitor)
        return .noContent
    }

    @Sendable func firstResponse(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        try await self.broker.firstResponse(site: context.site, caller: context.caller, chat: try context.parameters.id("id"))
        return .noContent
    }

    @Sendable func end(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        try await self.broker.endChat(site: context.site, caller: context.caller, chat: try context.parameters.id("id"))
        return .noContent
    }
}
