/// The keys of one site. Every key carries the hash tag `{site}`, so a site lives in one Redis Cluster slot; the
/// scripts derive all further keys from the settings key's prefix.
struct SiteKeys {
    let prefix: String

    init(site: String) {
        self.prefix = "usher:{\(site)}:"
    }

    var settings: String { self.prefix + "settings" }
    var reserve: String { self.prefix + "reserve" }
}
