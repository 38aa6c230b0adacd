/// Ids that become parts of Redis keys: sites, agents, queues, visitors, invitations, chats, tokens.
///
/// A short charset keeps them from breaking key structure (`:`) or hash tags (`{`, `}`), and a bound keeps keys
/// small. Letters, digits, `.`, `_` and `-`, 1 to 64 characters.
public enum Identifier {
    public static let maxLength = 64

    public static func validate(_ value: String, field: String) throws(CoreError) -> String {
        guard !value.isEmpty else { throw .invalid(field: field, message: "\(field) must not be empty") }
        guard value.utf8.count <= Self.maxLength else {
            throw .invalid(field: field, message: "\(field) must be at most \(Self.maxLength) characters")
        }
        guard value.utf8.allSatisfy(Self.allowed) else {
            throw .invalid(field: field, message: "\(field) may contain only letters, digits, '.', '_' and '-'")
        }
        return value
    }

    private static func allowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
