internal import Hummingbird
internal import UsherCore

/// Sites, their tokens, and what ops read: settings, capacity, reconcile.
struct SitesController {
    let broker: Broker

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.put(":site", use: self.putSite)
        group.get(":site", use: self.getSite)
        group.post(":site/tokens", use: self.issueToken)
        group.delete(":site/tokens/:id", use: self.revokeToken)
        group.get(":site/capacity", use: self.capacity)
        group.post(":site/reconcile", use: self.reconcile)
    }

    @Sendable func putSite(_ request: Request, context: SiteRequestContext) async throws -> EditedResponse<SiteSettingsResponse> {
        let body = try await request.decode(as: SiteSettingsBody.self, context: context)
        let (settings, created) = try await self.broker.putSite(context.site, caller: context.caller, update: body.update)
        return EditedResponse(status: created ? .created : .ok, response: SiteSettingsResponse(site: context.site, settings: settings))
    }

    @Sendable func getSite(_ request: Request, context: SiteRequestContext) async throws -> SiteSettingsResponse {
        let settings = try await self.broker.site(context.site, caller: context.caller)
        return SiteSettingsResponse(site: context.site, settings: settings)
    }

    @Sendable func issueToken(_ request: Request, context: SiteRequestContext) async throws -> EditedResponse<TokenResponse> {
        let body = try await request.decode(as: TokenBody.self, context: context)
        let issued = try await self.broker.issueToken(site: context.site, caller: context.caller, role: body.role, agent: body.agent)
        return EditedResponse(
            status: .created,
            response: TokenResponse(id: issued.id, token: issued.token, role: issued.role, agent: issued.agent)
        )
    }

    @Sendable func revokeToken(_ request: Request, context: SiteRequestContext) async throws -> HTTPResponse.Status {
        try await self.broker.revokeToken(site: context.site, caller: context.caller, id: try context.parameters.id("id"))
        return .noContent
    }

    /// `?agentsAfter=<id>` lists the agents after that one: the next page of `agentLoad`.
    @Sendable func capacity(_ request: Request, context: SiteRequestContext) async throws -> CapacityResponse {
        let after = request.uri.queryParameters.get("agentsAfter")
        return CapacityResponse(try await self.broker.capacity(site: context.site, caller: context.caller, agentsAfter: after))
    }

    /// Rebuilds the counters from the primary records and reports drift; `?repair=true` also writes the fix.
    @Sendable func reconcile(_ request: Request, context: SiteRequestContext) async throws -> ReconcileResponse {
        // Anything but true or false is refused: a mistyped repair must not pass for a dry run.
        let repair: Bool
        switch request.uri.queryParameters.get("repair") {
        case nil, "false": repair = false
        case "true": repair = true
        default: throw APIError.invalid(field: "repair", message: "repair is true or false")
        }
        return ReconcileResponse(try await self.broker.reconcile(site: context.site, caller: context.caller, repair: repair))
    }
}
