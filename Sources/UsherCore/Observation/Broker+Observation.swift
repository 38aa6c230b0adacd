internal import Foundation
internal import RedisClient

/// What ops watch: every site's state sampled from Redis, its per-minute history, and the origins its website may
/// call from.
extension Broker {
    /// The set of all sites, for the background sampler. It lives outside every site's slot, so it is written with
    /// its own command; `putSite` is idempotent, so a failed registration is mended by repeating the request.
    static let registryKey = "usher:sites"

    func register(site: String) async throws(CoreError) {
        do {
            _ = try await self.redis.send(["SADD", Self.registryKey, site])
        } catch {
            throw .unavailable("registering site \(site): \(error)")
        }
    }

    /// Up to `limit` sites, in name order (so every instance samples and reports the same ones).
    public func sites(limit: Int) async throws(CoreError) -> [String] {
        let value: RedisValue
        do {
            value = try await self.redis.send(["SMEMBERS", Self.registryKey])
        } catch {
            throw .unavailable("reading the sites: \(error)")
        }
        guard case .array(let members) = value else { return [] }
        return Array(members.compactMap(\.string).sorted().prefix(limit))
    }

    /// The site's capacity view with its per-queue counters, read as the root admin. With `leaseMilliseconds` > 0 the
    /// first instance to sample in that lease also writes the gauges into the minute's history.
    public func sample(site: String, leaseMilliseconds: Int) async throws(CoreError) -> SiteSample {
        let arguments = CapacityArguments(
            leaseMilliseconds: max(1, leaseMilliseconds), listedAgents: 0, agentsAfter: "",
            correctedAgents: self.configuration.capacityCorrectedAgents, foldMinutes: self.configuration.historyFoldMinutes
        )
        return try await self.call(arguments, site: site, caller: .admin, roles: [.ops])
    }

    /// The site's per-minute history in `[from, to)` (milliseconds since 1970), summed over `step` minutes.
    public func history(site: String, caller: Caller, range: HistoryRange) async throws(CoreError) -> CapacityHistory {
        let clock: HistoryClock = try await self.call(PreludeOnlyArguments(script: .historyRead), site: site, caller: caller, roles: [.ops])
        // Minutes older than the retention are gone and minutes after now (by Redis's clock, which stamps them) are
        // yet to come: no need to ask. So one read is at most the retention's minutes, whatever the period, and
        // fewer where whole blocks are read instead.
        let now = clock.now / 60_000
        let retention = Int64(self.historyRetentionMinutes)
        let wanted = HistoryRead.plan(
            range: range, from: max(range.firstMinute, now - retention - 1), to: min(range.endMinute, now + 1), folded: clock.folded,
            wholeFrom: now - retention
        )
        let keys = SiteKeys(site: site)
        let (minutePrefix, blockPrefix) = (keys.key(.minute), keys.key(.block))
        var sums = HistorySums(range: range)
        var bytes: Int64 = 0
        let batches = stride(from: 0, to: wanted.count, by: Self.historyBatchMinutes).map {
            wanted[$0..<min(wanted.count, $0 + Self.historyBatchMinutes)]
        }
        // Each minute or block and the memory it takes in one round trip (a missing key takes none).
        func read(_ batch: Int) async throws(CoreError) -> [RedisValue] {
            guard batch < batches.count else { return [] }
            return try await self.pipeline(
                batches[batch].flatMap { read in
                    let key = read.isBlock ? blockPrefix + String(read.minute / HistoryRead.blockMinutes) : minutePrefix + String(read.minute)
                    return [["HGETALL", key], ["MEMORY", "USAGE", key]]
                })
        }
        var replies = try await read(0)
        for (batch, reads) in batches.enumerated() {
            // The next batch is read and decoded while this one is summed, each on a core of its own.
            async let next = read(batch + 1)
            for (offset, read) in reads.enumerated() {
                guard case .array(let pairs) = replies[2 * offset], !pairs.isEmpty else { continue }
                if read.isBlock {
                    sums.add(block: read.minute, reply: pairs)
                } else {
                    sums.add(minute: read.minute, reply: pairs)
                }
                bytes += Int64(replies[2 * offset + 1].int ?? 0)
            }
            do {
                replies = try await next
            } catch let error as CoreError {
                throw error
            } catch {
                throw .unavailable("reading history: \(error)")
            }
        }
        return CapacityHistory(sums: sums, bytes: bytes, retentionSeconds: self.configuration.historyRetentionSeconds)
    }

    /// Sends the commands in one pipeline; any failure is the store's.
    private func pipeline(_ commands: [[String]]) async throws(CoreError) -> [RedisValue] {
        do {
            return try await self.redis.pipeline(commands).map { try $0.get() }
        } catch {
            throw .unavailable("reading history: \(error)")
        }
    }

    /// How many minutes of history are kept.
    public var historyRetentionMinutes: Int { self.configuration.historyRetentionSeconds / 60 }

    /// Minutes or blocks read per pipeline: with the next batch read while one is summed, a read has at most 1,000
    /// commands in flight at once.
    static let historyBatchMinutes = 250

    /// The origins the site's website may call from (its `allowedOrigins`); empty for an unknown site.
    public func allowedOrigins(site: String) async throws(CoreError) -> [String] {
        let site = try Identifier.validate(site, field: "site")
        do {
            let value = try await self.redis.send(["HGET", SiteKeys(site: site).settings, "allowedOrigins"])
            return (value.string ?? "").split(separator: " ").map(String.init)
        } catch {
            throw .unavailable("reading allowed origins of \(site): \(error)")
        }
    }
}

/// A site's state as the sampler reads it.
public struct SiteSample: Sendable, Decodable {
    public let capacity: SiteCapacity
    /// Per queue (as the history names it), counter name → count since the site began.
    public let queueCounters: [String: [String: Int]]
    /// The size of the site's last full minute of history, for the memory the history takes.
    public let historyMinuteBytes: Int
    /// When Redis read it (ms since 1970, Redis's clock): of two samples, the later one is the truer.
    public let sampledAt: Int64

    enum CodingKeys: String, CodingKey {
        case queueCounters, historyMinuteBytes, sampledAt
    }

    public init(from decoder: any Decoder) throws {
        self.capacity = try SiteCapacity(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let flat = try container.decodeIfPresent([String: Int].self, forKey: .queueCounters) ?? [:]
        var counters: [String: [String: Int]] = [:]
        for (key, count) in flat {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            counters[parts[0], default: [:]][parts[1]] = count
        }
        self.queueCounters = counters
        self.historyMinuteBytes = try container.decodeIfPresent(Int.self, forKey: .historyMinuteBytes) ?? 0
        self.sampledAt = try container.decodeIfPresent(Int64.self, forKey: .sampledAt) ?? 0
    }
}

/// Redis's clock, as the history read's authorization answers it.
struct HistoryClock: Decodable {
    let now: Int64
    let foldedSince: Int64?
    let foldedThrough: Int64?

    /// The minutes folded into their blocks, if any.
    var folded: ClosedRange<Int64>? {
        guard let since = self.foldedSince, let through = self.foldedThrough, since <= through else { return nil }
        return since...through
    }
}

/// One key a history read asks for: a minute, or (`isBlock`) the block of minutes that starts at `minute`.
struct HistoryRead: Equatable {
    let minute: Int64
    let isBlock: Bool

    /// The minutes a block of history sums. Ten: a period's steps start at any minute, so an hourly step holds five
    /// or six whole blocks wherever it starts, and a week reads about 2,000 keys instead of 10,080.
    static let blockMinutes: Int64 = 10

    /// The keys that hold the minutes `from..<to` of `range`, in order: a block where all its minutes are folded, lie
    /// in the range and in one of its steps, and are all still kept (from `wholeFrom` on); a minute elsewhere.
    static func plan(range: HistoryRange, from: Int64, to end: Int64, folded: ClosedRange<Int64>?, wholeFrom: Int64) -> [HistoryRead] {
        func wholeBlock(_ start: Int64) -> Bool {
            guard let folded, start % Self.blockMinutes == 0 else { return false }
            let last = start + Self.blockMinutes - 1
            return start >= folded.lowerBound && last <= folded.upperBound && start >= max(range.firstMinute, wholeFrom)
                && last < range.endMinute
                && (start - range.firstMinute) / range.stepMinutes == (last - range.firstMinute) / range.stepMinutes
        }
        var reads: [HistoryRead] = []
        var minute = from
        while minute < end {
            if wholeBlock(minute) {
                reads.append(HistoryRead(minute: minute, isBlock: true))
                minute += Self.blockMinutes
            } else {
                reads.append(HistoryRead(minute: minute, isBlock: false))
                minute += 1
            }
        }
        return reads
    }
}
