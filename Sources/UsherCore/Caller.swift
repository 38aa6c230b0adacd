/// Who is calling: the root admin (whose token the HTTP layer checked against configuration), or the bearer of a
/// site token, which the decision script itself checks in the same round trip.
public enum Caller: Sendable, Equatable {
    case admin
    case bearer(String)

    var tokenArgument: String {
        switch self {
        case .admin: ""
        case .bearer(let token): token
        }
    }
}

/// The roles of site tokens.
public enum Role: String, Sendable, Codable {
    case website
    case agent
    case ops
}
