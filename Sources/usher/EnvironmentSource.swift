import ArgumentParser

/// Resolves one setting: the flag if given, else the environment variable, else the default; checked against its
/// range so a bad value stops start-up with a message naming the variable.
struct EnvironmentSource {
    let environment: [String: String]

    func int(_ flag: Int?, _ variable: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
        let value: Int
        if let flag {
            value = flag
        } else if let text = self.environment[variable], !text.isEmpty {
            guard let parsed = Int(text) else { throw ValidationError("\(variable) must be a whole number, got \(text)") }
            value = parsed
        } else {
            value = fallback
        }
        guard range.contains(value) else {
            throw ValidationError("\(variable) must be within \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    func string(_ flag: String?, _ variable: String) -> String? {
        flag ?? self.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
