/// A reply from Redis as a plain Swift value; no pointer into hiredis's memory outlives the decoder.
public enum RedisValue: Sendable, Hashable {
    case null
    case integer(Int64)
    /// A simple-string status reply such as `OK` or `PONG`.
    case status(String)
    /// A bulk string; binary-safe.
    case bulk([UInt8])
    case array([RedisValue])
    /// An error reply nested inside an array (top-level error replies are thrown instead).
    case error(RedisError)
}

extension RedisValue {
    /// The reply as text, for status and bulk replies.
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The reply as an integer, for integer replies and bulk strings holding a decimal number.
    public var int: Int? {
        switch self {
        case .integer(let value): Int(value)
        case .bulk, .status: self.string.flatMap { Int($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }
}
