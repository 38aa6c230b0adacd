/// The key schema of one site, defined once: the Swift side builds keys from `Name`, and every script names them as
/// `K.holds`, `K.agent .. id` (see `Script.expand`), so neither side spells a key by hand. Every key carries
/// the hash tag `{site}`, so a site lives in one Redis Cluster slot.
struct SiteKeys {
    /// A key's name after the site's prefix. A family (its raw value ends in `:`) takes an id, or more, after it.
    enum Name: String, CaseIterable {
        case settings, reserve, agents, queues, lines, serving, presence, orphans, holds, waitdue, retained, seq
        case totals, counters, qcounters, tokens, sampled, canned, hours
        /// Per deadline set (holds, presence, orphans, waitdue), a bound of its earliest deadline: see `schedule` in prelude.lua.
        case due
        /// The capacity view's sums over the site's agents (`q:<queue>:agg` per queue): see `contribution` in prelude.lua.
        case agg
        /// Every agent's id, scored 0 so that they sort by id: the capacity view lists the first ones without
        /// reading the others.
        case agentIds = "agent-ids"
        case tokenIds = "token-ids"
        case hoursScopes = "hours:scopes"
        case hoursSite = "hours:site"
        case rateSite = "rate:site"
        /// Never written: reading it tells a script whether the site's cluster slot is moving (see prelude.lua).
        case probe
        /// The minutes of history folded into blocks so far: `since` and `through` (see `fold` in capacity.lua).
        case historyFold = "history-fold"
        /// `agent:<id>`, and its `:chats`, `:holds` and `:superseded` sets.
        case agent = "agent:"
        case chat = "chat:"
        case invitation = "inv:"
        /// `q:<queue>:free`, `:waiting`, `:serving`, `:stats`, `:agg` and the like.
        case queue = "q:"
        /// `visitor:<id>:inv` and `:chat`, the visitor's one hold and one open chat.
        case visitor = "visitor:"
        case cooldown = "cool:"
        /// `addr:held` and `addr:open`, the per-address tallies.
        case address = "addr:"
        case rateAddress = "rate:addr:"
        /// `m:<minute>`, the per-minute history, and `b:<block>`, its finished minutes summed per block of
        /// `HistoryRead.blockMinutes`.
        case minute = "m:"
        case block = "b:"
        case hoursQueue = "hours:q:"
    }

    let prefix: String

    init(site: String) {
        self.prefix = "usher:{\(site)}:"
    }

    func key(_ name: Name) -> String { self.prefix + name.rawValue }

    var settings: String { self.key(.settings) }
    var reserve: String { self.key(.reserve) }
}
