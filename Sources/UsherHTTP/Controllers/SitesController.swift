internal import Hummingbird
internal import UsherCore

/// Sites, their tokens, and what ops read: settings, capacity, reconcile.
struct SitesController {
    let services: APIServices

    func addRoutes(to group: RouterGroup<UsherRequestContext>) {
        group.put(":site", use: self.putSite)
        group.get(":site", use: self.getSite)
        group.post(":site/tokens", use: self.issueToken)
        group.delete(":site/tokens/:id", use: self.revokeToken)
        group.get(":site/capacity", use: self.capacity)
        group.post(":site/reconcile", use: self.reconcile)
    }

    @Sendable func putSite(_ request: Request, context: UsherRequestContext) async throws -> EditedResponse<SiteSettingsResponse> {
        try self.services.authenticator.requireAdmin(request, context: context)
        let site = try context.parameters.id("site")
        let body = try await self.services.body.decode(SiteSettingsBody.self, from: request)
        let (settings, created) = try await self.services.core(.admin) { () throws(CoreError) in
            try await self.services.broker.putSite(site, update: body.update)
        }
        return EditedResponse(status: created ? .created : .ok, response: SiteSettingsResponse(site: site, settings: settings))
    }

    @Sendable func getSite(_ request: Request, context: UsherRequestContext) async throws -> SiteSettingsResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let settings = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.site(site, caller: caller)
        }
        return SiteSettingsResponse(site: site, settings: settings)
    }

    @Sendable func issueToken(_ request: Request, context: UsherRequestContext) async throws -> EditedResponse<TokenResponse> {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let body = try await self.services.body.decode(TokenBody.self, from: request)
        let issued = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.issueToken(site: site, caller: caller, role: body.role, agent: body.agent)
        }
        return EditedResponse(
            status: .created,
            response: TokenResponse(id: issued.id, token: issued.token, role: issued.role, agent: issued.agent)
        )
    }

    @Sendable func revokeToken(_ request: Request, context: UsherRequestContext) async throws -> HTTPResponse.Status {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let id = try context.parameters.id("id")
        try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.revokeToken(site: site, caller: caller, id: id)
        }
        return .noContent
    }

    @Sendable func capacity(_ request: Request, context: UsherRequestContext) async throws -> CapacityResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let capacity = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.capacity(site: site, caller: caller)
        }
        return CapacityResponse(capacity)
    }

    /// Rebuilds the counters from the primary records and reports drift; `?repair=true` also writes the fix.
    @Sendable func reconcile(_ request: Request, context: UsherRequestContext) async throws -> ReconcileResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        // Anything but true or false is refused: a mistyped repair must not pass for a dry run.
        let repair: Bool
        switch request.uri.queryParameters.get("repair") {
        case nil, "false": repair = false
        case "true": repair = true
        default: throw APIError.invalid(field: "repair", message: "repair is true or false")
        }
        let report = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.reconcile(site: site, caller: caller, repair: repair)
        }
        return ReconcileResponse(report)
    }
}
