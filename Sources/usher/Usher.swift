import ArgumentParser

@main
struct Usher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usher",
        abstract: "The availability-aware chat invitation broker.",
        subcommands: [ServeCommand.self, ReconcileCommand.self, SettingsCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
