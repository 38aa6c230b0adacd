internal import HTTPTypes
internal import Hummingbird

/// The client's address, the key of the website's per-address rate limit: the socket's peer, or, when that peer is
/// one of the configured trusted proxies, the last address in `X-Forwarded-For` that is not itself a trusted proxy
/// (earlier entries are whatever the client chose to send). Anyone else's `X-Forwarded-For` is ignored.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// Longest address kept: an IPv6 address with a zone fits; anything longer is not an address.
    static let maxLength = 64

    func of(_ request: Request, context: UsherRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? ""
        guard self.trustedProxies.contains(peer) else { return peer }
        let hops = request.headers[values: Self.forwardedFor].joined(separator: ",").split(separator: ",")
        for hop in hops.reversed() {
            let address = String(hop.filter { $0 != " " && $0 != "\t" })
            if !self.trustedProxies.contains(address) {
                return Self.isAddress(address) ? address : peer
            }
        }
        return peer
    }

    /// Digits, hex letters, `.` and `:` only: what goes into a Redis key must not be able to bend it.
    static func isAddress(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength else { return false }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
                true
            case UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
    }
}
