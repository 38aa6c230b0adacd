import ArgumentParser
import Foundation
import UsherHTTP

/// The settings of one group as options, made from the table (`Setting`), so that no command declares a setting's
/// flag by hand. ArgumentParser finds a type's options by reflecting on it: the mirror lists an `@Option` for each
/// setting of the group, and decoding reads each back under the same name.
struct SettingOptions<Group: SettingGroup>: ParsableArguments, CustomReflectable {
    /// Each setting of the group, with its flag's text when given.
    let settings: [(setting: Setting, flag: String?)]

    private static var members: [Setting] { Setting.allCases.filter { $0.group == Group.group } }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init() {
        self.settings = Self.members.map { ($0, nil) }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        self.settings = try Self.members.map { setting in
            (setting, try container.decode(Option<String?>.self, forKey: Key(stringValue: setting.rawValue)).wrappedValue)
        }
    }

    var customMirror: Mirror {
        Mirror(
            self,
            children: Self.members.map { setting in
                (
                    label: setting.rawValue,
                    value: Option<String?>(name: .customLong(setting.rawValue), help: ArgumentHelp(setting.help, valueName: setting.rawValue)) as Any
                )
            }
        )
    }
}

/// Which group of settings a `SettingOptions` holds.
protocol SettingGroup {
    static var group: Setting.Group { get }
}

/// What only `usher serve` reads: where it listens, its HTTP limits, observation, the private redis-server.
enum ServeSettings: SettingGroup {
    static let group = Setting.Group.serve
}

/// How to reach Redis; every command that talks to it takes these.
enum RedisSettings: SettingGroup {
    static let group = Setting.Group.redis
}

/// Limits of the capacity core and logging; every command that runs decisions takes these.
enum CoreSettings: SettingGroup {
    static let group = Setting.Group.core
}

extension LaunchConfiguration {
    /// Reads the settings of the given groups from their flags and this process's environment; a value that cannot
    /// be used stops the command with its message.
    init(options groups: [(setting: Setting, flag: String?)]...) throws {
        do {
            try self.init(reading: groups.flatMap { $0 }, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
