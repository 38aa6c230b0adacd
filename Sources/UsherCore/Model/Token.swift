/// A freshly issued token: the secret is in this answer and nowhere else.
public struct IssuedToken: Sendable, Equatable {
    public let id: String
    public let token: String
    public let role: Role
    public let agent: String?
}
