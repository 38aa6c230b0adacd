import ArgumentParser
import UsherHTTP

/// `usher settings`: prints the table of settings as README.md shows it (a test checks that the two agree).
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print the table of settings (flags, environment variables, defaults, ranges) as Markdown.",
        shouldDisplay: false
    )

    func run() {
        print(Setting.markdownTable)
    }
}
