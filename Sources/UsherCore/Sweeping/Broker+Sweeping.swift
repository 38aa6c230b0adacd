internal import RedisClient

/// The background sweeper's work: every site, not only those that get traffic or are sampled, has its due holds,
/// lapsed heartbeats, orphans and waits run out within one sweep interval.
extension Broker {
    /// One instance sweeps per interval, whichever takes this lease first; the others skip that round. A lease
    /// outside every site's slot, written with its own command.
    static let sweepLeaseKey = "usher:sweep-lease"

    /// Sweeps every registered site if this instance holds the round's lease. Returns the sites swept (0 when
    /// another instance has the round).
    public func sweepAllSites() async throws(CoreError) -> Int {
        let interval = String(self.configuration.sweepIntervalMilliseconds)
        do {
            let lease = try await self.redis.send(["SET", Self.sweepLeaseKey, "1", "NX", "PX", interval])
            guard lease.string == "OK" else { return 0 }
        } catch {
            throw .unavailable("taking the sweep lease: \(error)")
        }
        let sites = try await self.sites(limit: Int.max)
        let width = max(1, self.configuration.sweepConcurrency)
        await withTaskGroup(of: Void.self) { group in
            for (index, site) in sites.enumerated() {
                if index >= width { await group.next() }
                group.addTask { await self.sweepThoroughly(site: site) }
            }
        }
        return sites.count
    }

    /// Passes over the site until nothing due is left; each pass is bounded by the sweep limit, and a site that
    /// keeps reporting more (or fails) is left to the next round after a bounded number of passes.
    private func sweepThoroughly(site: String) async {
        for _ in 0..<Self.maxPassesPerRound {
            guard (try? await self.sweep(site: site)) == true else { return }
        }
    }

    /// Passes over one site per round at most: with the sweep limit, bounds one round's work per site.
    static let maxPassesPerRound = 50
}
