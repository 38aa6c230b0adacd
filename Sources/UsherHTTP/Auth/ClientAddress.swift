internal import HTTPTypes
internal import Hummingbird
internal import NIOCore

/// The client's address, the key of the website's per-address limits: the socket's peer, or, when that peer is one
/// of the configured trusted proxies, the last address in `X-Forwarded-For` that is not itself a trusted proxy
/// (earlier entries are whatever the client chose to send). Anyone else's `X-Forwarded-For` is ignored.
///
/// An IPv6 client counts by its /64 network: one host is commonly given a whole /64, so its single addresses would
/// be buckets without end.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func of(_ request: Request, context: UsherRequestContext) -> String {
        guard let peer = context.remoteAddress else { return "" }
        guard !self.trustedProxies.isEmpty, self.trustedProxies.contains(peer.ipAddress ?? "") else { return Self.key(peer) }
        let hops = request.headers[values: Self.forwardedFor].joined(separator: ",").split(separator: ",")
        for hop in hops.reversed() {
            let text = String(hop.filter { $0 != " " && $0 != "\t" })
            if !self.trustedProxies.contains(text) {
                // What is not an address at all is the proxy's doing; the proxy's own address is the fair bucket.
                guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return Self.key(peer) }
                return Self.key(address)
            }
        }
        return Self.key(peer)
    }

    /// An IPv4 address as it is (an IPv4-mapped IPv6 one too), an IPv6 address as its /64.
    static func key(_ address: SocketAddress) -> String {
        guard case .v6(let v6) = address else { return address.ipAddress ?? "" }
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return bytes[12..<16].map { String($0) }.joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
