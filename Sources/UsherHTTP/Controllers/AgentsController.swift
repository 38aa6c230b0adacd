internal import Hummingbird
internal import UsherCore

/// The agent client's presence (repeating it is the heartbeat) and its assigned chats.
struct AgentsController {
    let services: APIServices

    func addRoutes(to group: RouterGroup<UsherRequestContext>) {
        group.put(":site/agents/:agent/presence", use: self.presence)
        group.get(":site/agents/:agent/chats", use: self.chats)
    }

    @Sendable func presence(_ request: Request, context: UsherRequestContext) async throws -> PresenceResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let agent = try context.parameters.id("agent")
        let body = try await self.services.body.decode(PresenceBody.self, from: request)
        let state = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.presence(site: site, caller: caller, agent: agent, update: body.update)
        }
        return PresenceResponse(state)
    }

    @Sendable func chats(_ request: Request, context: UsherRequestContext) async throws -> AgentChatsResponse {
        let caller = try self.services.authenticator.caller(request, context: context)
        let site = try context.parameters.id("site")
        let agent = try context.parameters.id("agent")
        let chats = try await self.services.core(caller) { () throws(CoreError) in
            try await self.services.broker.agentChats(site: site, caller: caller, agent: agent)
        }
        return AgentChatsResponse(chats: chats.map(AgentChat.init))
    }
}
