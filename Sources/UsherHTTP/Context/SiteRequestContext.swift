internal import Hummingbird
internal import UsherCore

/// The context of the routes under `/v1/sites/{site}`: the caller, authenticated once before the route by
/// `SiteRoutesMiddleware`, and the site the path names. Bodies are read with `RequestBodyDecoder`, which names the
/// field at fault.
struct SiteRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let caller: Caller
    let site: String
    let maxUploadSize: Int

    init(context: UsherRequestContext) throws {
        // Only a route registered outside `SiteRoutesMiddleware` comes here unauthenticated: it is refused, not served.
        guard let admission = context.siteAdmission else { throw Authenticator.noToken }
        self.coreContext = context.coreContext
        self.caller = admission.caller
        self.maxUploadSize = admission.maxBodyBytes
        self.site = try context.parameters.id("site")
    }

    var requestDecoder: RequestBodyDecoder { RequestBodyDecoder() }
}
