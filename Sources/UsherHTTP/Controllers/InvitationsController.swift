internal import Hummingbird
internal import UsherCore

/// The website's invitation poll, accept and decline.
struct InvitationsController {
    let services: APIServices

    func addRoutes(to group: RouterGroup<UsherRequestContext>) {
        group.post(":site/invitations", use: self.poll)
        group.post(":site/invitations/:id/accept", use: self.accept)
        group.post(":site/invitations/:id/decline", use: self.decline)
    }

    /// Fails closed: with Redis unreachable the answer is `withhold` with reason `unavailable`, never an invitation.
    @Sendable func poll(_ request: Request, context: UsherRequestContext) async throws -> Response {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let body = try await self.services.body.decode(InvitationPollBody.self, from: request)
        let decision: InvitationDecision
        do {
            decision = try await self.services.broker.poll(
                site: site, caller: caller, visitor: body.visitor, queue: body.queue ?? Broker.defaultQueue, locale: body.locale
            )
        } catch .unavailable(let detail) {
            context.logger.warning("withholding: the capacity store is unavailable", metadata: ["error.detail": "\(detail)"])
            decision = .withhold(reason: .unavailable, retryAfterSeconds: self.services.retry.unavailableSeconds)
        } catch {
            throw self.services.error(error, caller: caller)
        }
        var response = try InvitationResponse(decision).response(from: request, context: context)
        if case .withhold(_, let seconds) = decision {
            response.headers[.retryAfter] = String(seconds)
        }
        return response
    }

    @Sendable func accept(_ request: Request, context: UsherRequestContext) async throws -> VisitorChatResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        let body = try await self.services.body.decode(AcceptBody.self, from: request)
        let chat = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.accept(
                site: site, caller: caller, invitation: id, visitor: body.visitor, name: body.name, locale: body.locale
            )
        }
        return VisitorChatResponse(chat: VisitorChat(chat, changed: nil))
    }

    @Sendable func decline(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        let body = try await self.services.body.decode(VisitorBody.self, from: request)
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.decline(site: site, caller: caller, invitation: id, visitor: body.visitor)
        }
        return .noContent
    }
}
