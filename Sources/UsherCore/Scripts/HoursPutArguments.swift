/// The arguments of hoursPut.lua.
struct HoursPutArguments: ScriptArguments {
    /// The hours document, JSON.
    let document: String
    let timeZone: String
    /// Until when the compiled instants hold.
    let horizonMilliseconds: Int64
    /// The document the instants were compiled from; nil replaces any.
    let expected: String?
    /// Every scope's compiled instants, JSON (see `HoursScope`).
    let scopes: String

    var script: Script { .hoursPut }
    var rendered: [String] { [self.document, self.timeZone, String(self.horizonMilliseconds), self.expected ?? "", self.scopes] }
}
