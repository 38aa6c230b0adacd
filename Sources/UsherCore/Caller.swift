/// Who is calling: the root admin (whose token the HTTP layer checked against configuration), or the bearer of a
/// site token, which the decision script itself checks in the same round trip.
///
/// `address` is the client's address as the HTTP layer determined it (the socket's peer, or `X-Forwarded-For` from a
/// trusted proxy): the key of the website's per-address rate limit.
public enum Caller: Sendable, Equatable {
    case admin
    case bearer(String, address: String = "")

    /// The caller as the scripts read it: `admin`, or `bearer ` and the token. The admin is a word of its own, never
    /// an empty token, so a bearer that slips through empty is nobody rather than the root.
    var callerArgument: String {
        switch self {
        case .admin: "admin"
        case .bearer(let token, _): "bearer " + token
        }
    }

    var addressArgument: String {
        switch self {
        case .admin: ""
        case .bearer(_, let address): address
        }
    }
}

/// The roles of site tokens.
public enum Role: String, Sendable, Codable {
    case website
    case agent
    /// A server-side integration (a chatbot handing customers over): may escalate and set priority.
    case bot
    case ops
}
