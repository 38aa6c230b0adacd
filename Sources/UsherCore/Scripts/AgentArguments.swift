/// The arguments of presence.lua.
struct PresenceArguments: ScriptArguments {
    let agent: String
    let status: PresenceUpdate.Status
    let maxChats: Int
    /// Each once.
    let queues: [String]
    let session: String

    var script: Script { .presence }
    var rendered: [String] { [self.agent, self.status.rawValue, String(self.maxChats), self.queues.joined(separator: ","), self.session] }
}

/// The arguments of agentChats.lua.
struct AgentChatsArguments: ScriptArguments {
    let agent: String

    var script: Script { .agentChats }
    var rendered: [String] { [self.agent] }
}

/// The arguments of firstResponse.lua.
struct FirstResponseArguments: ScriptArguments {
    let chat: String
    /// The decay weight of a new sample.
    let sampleWeight: Double
    /// How many estimate samples a queue keeps.
    let keptSamples: Int

    var script: Script { .firstResponse }
    var rendered: [String] { [self.chat, String(self.sampleWeight), String(self.keptSamples)] }
}

/// The arguments of chatEnd.lua.
struct ChatEndArguments: ScriptArguments {
    let chat: String
    /// The decay weight of a new handle-time sample.
    let sampleWeight: Double

    var script: Script { .chatEnd }
    var rendered: [String] { [self.chat, String(self.sampleWeight)] }
}
