extension Setting {
    /// The flag's help: what it does, its variable and its default.
    public var help: String {
        "\(self.definition.meaning) (\(self.variable)) [default: \(self.byDefault.written(asCode: false))]"
    }

    /// The README's table of settings, one row a setting in the table's order.
    public static var markdownTable: String {
        let rows = Self.allCases.map { setting in
            let shown = setting.byDefault.written(asCode: true)
            let range = setting.range.map { "`\($0.lowerBound)...\($0.upperBound)`" } ?? ""
            return "| `\(setting.flag)` | `\(setting.variable)` | \(shown) | \(range) | \(setting.definition.meaning) |"
        }
        return (["| flag | environment | default | range | meaning |", "| --- | --- | --- | --- | --- |"] + rows).joined(separator: "\n")
    }

    enum Default: Equatable, Sendable {
        case value(String)
        /// Unset, and what that does.
        case none(String)

        /// As `--help` (plain) and the README (a value as code) write it.
        func written(asCode: Bool) -> String {
            switch self {
            case .value(let value): asCode ? "`\(value)`" : value
            case .none(let meaning): meaning.isEmpty ? "none" : "none, \(meaning)"
            }
        }
    }

    /// What a `LaunchConfiguration()` holds for the setting.
    var byDefault: Default { self.value(in: LaunchConfiguration()) }

    /// What `configuration` holds for the setting, as text.
    func value(in configuration: LaunchConfiguration) -> Default {
        switch self.definition.kind {
        case .number(let path, _):
            return .value(String(configuration[keyPath: path]))
        case .optionalNumber(let path, _, let none):
            return configuration[keyPath: path].map { .value(String($0)) } ?? .none(none)
        case .text(let path):
            return .value(configuration[keyPath: path])
        case .optionalText(let path, let none):
            return configuration[keyPath: path].map { .value($0) } ?? .none(none)
        case .list(let path):
            let list = configuration[keyPath: path]
            return list.isEmpty ? .none("") : .value(list.joined(separator: ","))
        case .logLevel(let path):
            return .value(configuration[keyPath: path].rawValue)
        }
    }
}
