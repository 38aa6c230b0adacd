/// The arguments of capacity.lua.
struct CapacityArguments: ScriptArguments {
    /// 0 for a plain read; for a sample, how long its lease on the history lasts.
    let leaseMilliseconds: Int
    /// How many agents to list by name.
    let listedAgents: Int
    /// List those after this id ("" from the first).
    let agentsAfter: String
    /// How many agents past their heartbeat but not yet swept to count as they are now, at most.
    let correctedAgents: Int
    /// For a sample, how many finished minutes of history to fold into their blocks at most.
    let foldMinutes: Int

    var script: Script { .capacity }
    var rendered: [String] {
        [String(self.leaseMilliseconds), String(self.listedAgents), self.agentsAfter, String(self.correctedAgents), String(self.foldMinutes)]
    }
}

/// The arguments of reconcile.lua.
struct ReconcileArguments: ScriptArguments {
    /// Also write the rebuilt values, rather than only report them.
    let repair: Bool
    /// How far past a deadline is not yet a violation.
    let toleranceMilliseconds: Int

    var script: Script { .reconcile }
    var rendered: [String] { [self.repair ? "1" : "0", String(self.toleranceMilliseconds)] }
}

/// The arguments of tokenIssue.lua.
struct TokenIssueArguments: ScriptArguments {
    let id: String
    let token: String
    let role: Role
    /// The agent an agent token is bound to.
    let agent: String?

    var script: Script { .tokenIssue }
    var rendered: [String] { [self.id, self.token, self.role.rawValue, self.agent ?? ""] }
}

/// The arguments of tokenRevoke.lua.
struct TokenRevokeArguments: ScriptArguments {
    let id: String

    var script: Script { .tokenRevoke }
    var rendered: [String] { [self.id] }
}
