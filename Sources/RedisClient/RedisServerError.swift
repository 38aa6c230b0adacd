/// An error reply sent by Redis, split into its leading code (`ERR`, `NOSCRIPT`, `WRONGTYPE`, …) and the rest.
public struct RedisServerError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(reply: String) {
        if let space = reply.firstIndex(of: " ") {
            self.code = String(reply[..<space])
            self.message = String(reply[reply.index(after: space)...])
        } else {
            self.code = reply
            self.message = ""
        }
    }

    public var description: String { self.message.isEmpty ? self.code : "\(self.code) \(self.message)" }
}
