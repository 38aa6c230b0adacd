internal import Hummingbird
internal import UsherCore

/// Turns the `Authorization` header into a `Caller`. Only the root admin token is checked here (against
/// configuration, in constant time); site tokens are checked by the decision script in the same round trip, with
/// the client's address for the website rate limits.
struct Authenticator: Sendable {
    let adminToken: String?
    let clientAddress: ClientAddress

    func caller(_ request: Request, context: UsherRequestContext) throws(APIError) -> Caller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw Self.noToken }
        let token = String(header.dropFirst("Bearer ".count).trimmingSpaces)
        guard !token.isEmpty, token.utf8.count <= 256 else {
            throw APIError(status: .unauthorized, code: "unauthorized", message: "the bearer token is empty or too long")
        }
        if let adminToken, Self.constantTimeEquals(token, adminToken) { return .admin }
        return .bearer(token, address: self.clientAddress.of(request, context: context))
    }

    /// No `Authorization: Bearer` header at all.
    static let noToken = APIError(status: .unauthorized, code: "unauthorized", message: "send Authorization: Bearer <token>")

    /// Compares every byte whatever the first difference, so the time taken tells nothing of the token.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a.utf8, b.utf8) {
            difference |= x ^ y
        }
        return difference == 0
    }
}

extension Substring {
    /// Without its leading and trailing spaces, found on the bytes: on every request, where walking Characters through
    /// two reversed copies cost a tenth of a withheld poll's CPU (docs/performance.md).
    fileprivate var trimmingSpaces: Substring {
        let space = UInt8(ascii: " ")
        guard let first = self.utf8.firstIndex(where: { $0 != space }), let last = self.utf8.lastIndex(where: { $0 != space }) else {
            return ""
        }
        return self[first...last]
    }
}
