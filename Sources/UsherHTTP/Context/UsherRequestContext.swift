public import Hummingbird
public import NIOCore

/// The request context of every Usher route: Hummingbird's basic one, plus the socket's peer address, from which the
/// client's address for the website rate limits is taken (see `ClientAddress`).
public struct UsherRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Nil where the request did not come over a socket (the router tests).
    public let remoteAddress: SocketAddress?
    /// Set on the site routes by `SiteRoutesMiddleware`, for the `SiteRequestContext` they are answered in.
    var siteAdmission: SiteAdmission?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
