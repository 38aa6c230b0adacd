internal import RedisClient

/// Every Lua script of the core, registered with the Redis client so that each connection loads them all. A script is
/// the file `Lua/<case>.lua` after the libraries it runs on (`files`); its header states its contract, and a typed
/// value (`ScriptArguments`) renders its arguments.
enum Script: CaseIterable {
    case presence, invitation, accept, decline, chatRequest, chatView, chatCancel, chatEnd, firstResponse, agentChats
    case sweep
    case capacity, reconcile, siteSettings, siteRead, tokenIssue, tokenRevoke
    case cannedPut, cannedDelete, cannedRead, hoursPut, hoursDelete, hoursRead, historyRead

    var redisScript: RedisScript { Self.compiled[self]! }

    /// The text Redis runs, and where each of its lines comes from.
    var text: ScriptText { Self.texts[self]! }

    private static let texts: [Script: ScriptText] = Dictionary(
        uniqueKeysWithValues: Self.allCases.map { ($0, ScriptText(files: $0.files)) }
    )

    /// Apart from `texts`, so that a decision reads only what it sends.
    private static let compiled: [Script: RedisScript] = Dictionary(
        uniqueKeysWithValues: Self.allCases.map { ($0, RedisScript(name: "\($0)", source: $0.text.source)) }
    )

    /// The Lua files Redis gets as this script, in order: the libraries it runs on, then its own.
    var files: [String] {
        // Site settings run before the site exists, so without the prelude (see siteSettings.lua).
        self == .siteSettings ? ["hash.lua", "\(self).lua"] : ["hash.lua", "prelude.lua", "\(self).lua"]
    }

    /// A file of `Lua`, as the build embedded it (see `Plugins/EmbedFolders`).
    static func file(_ name: String) -> String {
        guard let text = LuaFiles.contents[name] else { fatalError("no Lua file \(name)") }
        return text.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }

    /// The text with each placeholder written out: `K.<name>` by the site key it names (`(P .. 'holds')`),
    /// `C.<name>` by the count's name (`'issued'`), `H.<name>` by the history measure's (`'samples'`) and `S.<name>`
    /// by the Swift value it names. The names are defined once (`SiteKeys.Name`, `DecisionCount`, `HistoryMeasure`,
    /// `Value`) and cost a decision nothing (tables of them, built on every call, cost 1.7 µs of Redis time). A name
    /// none knows is a bug of ours, and stops the process at the first script's load; so does a value of more than
    /// one line, which would move the lines Redis names in its errors.
    static func expand(_ source: String) -> String {
        source.replacing(/\b([KCHS])\.([A-Za-z]+)/) { match in
            let name = String(match.output.2)
            let text: String
            switch match.output.1 {
            case "K":
                guard let key = SiteKeys.Name.allCases.first(where: { "\($0)" == name }) else { fatalError("no site key K.\(name)") }
                text = "(P .. '\(key.rawValue)')"
            case "C":
                guard let count = DecisionCount.allCases.first(where: { "\($0)" == name }) else { fatalError("no count C.\(name)") }
                text = "'\(count.rawValue)'"
            case "H":
                guard let measure = HistoryMeasure.allCases.first(where: { "\($0)" == name }) else { fatalError("no measure H.\(name)") }
                text = "'\(measure.rawValue)'"
            default:
                guard let value = Value.allCases.first(where: { "\($0)" == name }) else { fatalError("no value S.\(name)") }
                text = value.lua
            }
            guard !text.contains("\n") else { fatalError("\(match.output.0) is more than one line") }
            return text
        }
    }

    /// Values of the Swift side that a script reads as `S.<name>`.
    enum Value: CaseIterable {
        /// What a site that does not store a setting decides with, as a Lua table.
        case defaults
        /// The minutes of history one block sums (see `HistoryRead`).
        case historyBlockMinutes

        var lua: String {
            switch self {
            case .defaults: SiteSettings.luaDefaults
            case .historyBlockMinutes: String(HistoryRead.blockMinutes)
            }
        }
    }
}
