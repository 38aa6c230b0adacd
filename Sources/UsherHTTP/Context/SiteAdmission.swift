internal import UsherCore

/// What `SiteRoutesMiddleware` hands on, in the parent context, for a `SiteRequestContext` to be made from.
struct SiteAdmission: Sendable {
    let caller: Caller
    /// Request bodies are read up to this many bytes.
    let maxBodyBytes: Int
}
