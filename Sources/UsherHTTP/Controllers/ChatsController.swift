internal import Hummingbird
internal import UsherCore

/// Chats: the website's reactive and escalation requests and reads, the agent's first response and end.
struct ChatsController {
    let services: APIServices

    func addRoutes(to group: RouterGroup<UsherRequestContext>) {
        group.post(":site/chats", use: self.request)
        group.get(":site/chats/:id", use: self.read)
        group.post(":site/chats/:id/cancel", use: self.cancel)
        group.post(":site/chats/:id/first-response", use: self.firstResponse)
        group.post(":site/chats/:id/end", use: self.end)
    }

    @Sendable func request(_ request: Request, context: UsherRequestContext) async throws -> Response {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let body = try await self.services.body.decode(ChatRequestBody.self, from: request)
        let chat: ChatRecord
        do {
            chat = try await self.services.broker.requestChat(site: site, caller: caller, request: body.request)
        } catch {
            switch error {
            case .lineFull(let message):
                return try self.refused(error, message: message, opensAt: nil, request: request, context: context, caller: caller)
            case .closed(let opensAt, let message):
                return try self.refused(error, message: message, opensAt: opensAt, request: request, context: context, caller: caller)
            default:
                throw self.services.error(error, caller: caller)
            }
        }
        var response = try VisitorChatResponse(chat: VisitorChat(chat, changed: nil)).response(from: request, context: context)
        // The visitor's open chat, asked for again (a retry): the same chat, not a new one.
        response.status = chat.existing ? .ok : .created
        return response
    }

    /// Refused, but never with an empty window: the visitor is told so in words, and when the queue opens again.
    private func refused(
        _ refusal: CoreError, message: FirstResponse, opensAt: Int64?, request: Request, context: UsherRequestContext, caller: Caller
    ) throws -> Response {
        let error = self.services.error(refusal, caller: caller)
        var response = try context.responseEncoder.encode(
            RefusedChatResponse(
                error: .init(code: error.code, message: error.message, field: nil),
                firstResponse: message,
                opensAt: opensAt.map(Timestamp.iso(milliseconds:))
            ),
            from: request,
            context: context
        )
        response.status = error.status
        response.headers[.retryAfter] = error.retryAfterSeconds.map(String.init)
        return response
    }

    /// The visitor reads its chat with `?visitor=`; ops may read any chat of the site without it.
    @Sendable func read(_ request: Request, context: UsherRequestContext) async throws -> VisitorChatResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        let visitor = request.uri.queryParameters.get("visitor")
        let chat = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.chat(site: site, caller: caller, id: id, visitor: visitor)
        }
        return VisitorChatResponse(chat: VisitorChat(chat, changed: chat.firstResponseChanged))
    }

    /// The visitor leaves the waiting line; idempotent.
    @Sendable func cancel(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        let body = try await self.services.body.decode(VisitorBody.self, from: request)
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.cancelChat(site: site, caller: caller, chat: id, visitor: body.visitor)
        }
        return .noContent
    }

    @Sendable func firstResponse(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.firstResponse(site: site, caller: caller, chat: id)
        }
        return .noContent
    }

    @Sendable func end(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.endChat(site: site, caller: caller, chat: id)
        }
        return .noContent
    }
}
