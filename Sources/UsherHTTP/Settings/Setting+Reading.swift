internal import Logging

extension Setting {
    /// The shapes a setting's value takes. `none` says what an optional setting left unset does.
    enum Kind: Sendable {
        case number(any WritableKeyPath<LaunchConfiguration, Int> & Sendable, ClosedRange<Int>)
        case optionalNumber(any WritableKeyPath<LaunchConfiguration, Int?> & Sendable, ClosedRange<Int>, none: String)
        case text(any WritableKeyPath<LaunchConfiguration, String> & Sendable)
        case optionalText(any WritableKeyPath<LaunchConfiguration, String?> & Sendable, none: String)
        /// Comma-separated; blanks are dropped.
        case list(any WritableKeyPath<LaunchConfiguration, [String]> & Sendable)
        case logLevel(any WritableKeyPath<LaunchConfiguration, Logger.Level> & Sendable)
    }

    /// The commands that read the setting.
    public var group: Group { self.definition.group }

    /// The flag's name on the command line.
    public var flag: String { "--" + self.rawValue }

    /// The flag's name in capitals after `USHER_`.
    public var variable: String { "USHER_" + self.rawValue.uppercased().replacing("-", with: "_") }

    /// The values a number may take.
    public var range: ClosedRange<Int>? {
        switch self.definition.kind {
        case .number(_, let range), .optionalNumber(_, let range, _): range
        case .text, .optionalText, .list, .logLevel: nil
        }
    }

    /// Reads the setting's text into `configuration`; a value that is not one names the variable.
    func read(_ text: String, into configuration: inout LaunchConfiguration) throws(SettingError) {
        switch self.definition.kind {
        case .number(let path, let range):
            configuration[keyPath: path] = try self.number(text, within: range)
        case .optionalNumber(let path, let range, _):
            configuration[keyPath: path] = try self.number(text, within: range)
        case .text(let path):
            configuration[keyPath: path] = text
        case .optionalText(let path, _):
            configuration[keyPath: path] = text
        case .list(let path):
            configuration[keyPath: path] = text.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        case .logLevel(let path):
            guard let level = Logger.Level(rawValue: text.lowercased()) else { throw SettingError("unknown log level \(text)") }
            configuration[keyPath: path] = level
        }
    }

    private func number(_ text: String, within range: ClosedRange<Int>) throws(SettingError) -> Int {
        guard let value = Int(text) else { throw SettingError("\(self.variable) must be a whole number, got \(text)") }
        guard range.contains(value) else {
            throw SettingError("\(self.variable) must be within \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }
}

/// A setting whose value cannot be used; start-up stops with this message.
public struct SettingError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
