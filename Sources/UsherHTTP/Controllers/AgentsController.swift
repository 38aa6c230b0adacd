internal import Hummingbird
internal import UsherCore

/// The agent client's presence (repeating it is the heartbeat) and its assigned chats.
struct AgentsController {
    let broker: Broker

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.put(":site/agents/:agent/presence", use: self.presence)
        group.get(":site/agents/:agent/chats", use: self.chats)
    }

    @Sendable func presence(_ request: Request, context: SiteRequestContext) async throws -> PresenceResponse {
        let agent = try context.parameters.id("agent")
        let body = try await request.decode(as: PresenceBody.self, context: context)
        let state = try await self.broker.presence(site: context.site, caller: context.caller, agent: agent, update: body.update)
        return PresenceResponse(state)
    }

    @Sendable func chats(_ request: Request, context: SiteRequestContext) async throws -> AgentChatsResponse {
        let agent = try context.parameters.id("agent")
        let chats = try await self.broker.agentChats(site: context.site, caller: context.caller, agent: agent)
        return AgentChatsResponse(chats: chats.map(AgentChat.init))
    }
}
