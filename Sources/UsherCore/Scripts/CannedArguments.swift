/// The arguments of cannedPut.lua.
struct CannedPutArguments: ScriptArguments {
    let name: String
    /// The message as JSON, already validated.
    let message: String
    /// The most messages a site may have.
    let limit: Int

    var script: Script { .cannedPut }
    var rendered: [String] { [self.name, self.message, String(self.limit)] }
}

/// The arguments of cannedDelete.lua.
struct CannedDeleteArguments: ScriptArguments {
    let name: String

    var script: Script { .cannedDelete }
    var rendered: [String] { [self.name] }
}
