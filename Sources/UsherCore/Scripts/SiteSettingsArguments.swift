internal import Foundation

/// The argument of siteSettings.lua, which runs without the prelude: the whole update as one JSON document.
struct SiteSettingsArguments: Encodable {
    let set: [String: Int]
    let reserve: [String: Int]?
    /// Comma-separated.
    let queues: String?
    /// Space-separated.
    let allowedOrigins: String?

    /// ARGV[1...].
    func rendered() throws(CoreError) -> [String] {
        do {
            return [String(decoding: try JSONEncoder().encode(self), as: UTF8.self)]
        } catch {
            throw .unavailable("encoding site settings: \(error)")
        }
    }
}
