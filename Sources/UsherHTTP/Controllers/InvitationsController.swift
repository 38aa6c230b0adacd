internal import Hummingbird
internal import UsherCore

/// The website's invitation poll, accept and decline.
struct InvitationsController {
    let broker: Broker
    let retry: RetryAdvice

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.post(":site/invitations", use: self.poll)
        group.post(":site/invitations/:id/accept", use: self.accept)
        group.post(":site/invitations/:id/decline", use: self.decline)
    }

    /// Fails closed (the core decides so): with Redis unreachable the answer is `withhold` with reason `unavailable`,
    /// never an invitation.
    @Sendable func poll(_ request: Request, context: SiteRequestContext) async throws -> InvitationResponse {
        let body = try await request.decode(as: InvitationPollBody.self, context: context)
        let decision = try await self.broker.poll(
            body.poll, site: context.site, caller: context.caller, unavailableRetrySeconds: self.retry.unavailableSeconds
        ) { detail in
            context.logger.warning("withholding as unavailable: no decision could be reached", metadata: ["error.detail": "\(detail)"])
        }
        return InvitationResponse(decision)
    }

    @Sendable func accept(_ request: Request, context: SiteRequestContext) async throws -> VisitorChatResponse {
        let id = try context.parameters.id("id")
        let body = try await request.decode(as: AcceptBody.self, context: context)
        let chat = try await self.broker.accept(
            site: context.site, caller: context.caller, invitation: id, visitor: body.visitor, name: body.name, locale: body.locale
        )
        return VisitorChatResponse(chat: VisitorChat(chat, changed: nil))
    }

    @Sendable func decline(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.id("id")
        let body = try await request.decode(as: VisitorBody.self, context: context)
        try await self.broker.decline(site: context.site, caller: context.caller, invitation: id, visitor: body.visitor)
        return .noContent
    }
}
