/// The typed arguments of one script: the script they are for, and its own ARGV (after the prelude's,
/// `PreludeArguments`) in the order its file's header lists them.
protocol ScriptArguments {
    var script: Script { get }
    /// ARGV[13...].
    var rendered: [String] { get }
}

/// The arguments of a script that takes only the prelude's.
struct PreludeOnlyArguments: ScriptArguments {
    let script: Script
    var rendered: [String] { [] }
}
