internal import Synchronization

/// The parsed canned messages of the sites this instance answered lately. Redis holds the truth and a version number
/// per site that every change bumps; every chat reply carries that number, so an entry is used only while it is
/// current and a change made through any instance is seen on the next reply, without polling.
final class CannedCache: Sendable {
    struct Entry: Sendable {
        let name: String
        let message: CannedMessage
        let template: CompiledTemplate
    }

    struct Site: Sendable {
        let version: Int
        let messages: [Entry]
    }

    private let sites = Mutex<[String: Site]>([:])
    private let maxSites: Int

    init(maxSites: Int) {
        self.maxSites = max(1, maxSites)
    }

    /// The site's messages if they are of `version`.
    func current(_ site: String, version: Int) -> Site? {
        self.sites.withLock { sites in sites[site].flatMap { $0.version == version ? $0 : nil } }
    }

    /// Whatever is cached for the site, however old: better than nothing while Redis cannot be read.
    func any(_ site: String) -> Site? {
        self.sites.withLock { $0[site] }
    }

    /// Keeps the newer of what is cached and `entry`; makes room by dropping an arbitrary other site when full.
    func store(_ site: String, _ entry: Site) {
        self.sites.withLock { sites in
            if let cached = sites[site], cached.version > entry.version { return }
            if sites[site] == nil, sites.count >= self.maxSites, let victim = sites.keys.first {
                sites[victim] = nil
            }
            sites[site] = entry
        }
    }
}
