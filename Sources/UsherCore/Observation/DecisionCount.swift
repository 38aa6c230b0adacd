/// The names of the decisions the scripts count (the site's `counters`, the per-queue `qcounters` and the minute's
/// history), defined once: the Swift side reads counts by these names and every script names them as
/// `C.issued` (see `Script.expand`). A family (its raw value ends in `:`) takes a reason or a source after it.
public enum DecisionCount: String, CaseIterable, Sendable {
    case issued, accepted, declined, expired
    /// Every withheld poll, for the site's capacity view; by reason in `withheldBy`.
    case withheld
    /// `withheld:<reason>`.
    case withheldBy = "withheld:"
    /// `started:<source>`: invitation, reactive, escalation.
    case startedBy = "started:"
    case ended, orphaned, abandoned
    /// Chat requests refused: the line was full or the queue closed.
    case refused
    /// Website calls refused by a rate limit or an address's share, counted for the site only.
    case rateLimited

    /// The name with its reason or source, for a family.
    public func named(_ detail: String) -> String { self.rawValue + detail }

    /// The detail of a counted name of this family, nil when the name is not one of it.
    public func detail(of name: String) -> String? {
        name.hasPrefix(self.rawValue) && name.count > self.rawValue.count ? String(name.dropFirst(self.rawValue.count)) : nil
    }
}
