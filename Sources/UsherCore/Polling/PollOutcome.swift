internal import RedisClient

/// One poll's line in invitation.lua's reply: `invite <id> <queue> <expiresAt>`, `withhold <reason> <retryAfterMs>`
/// or `refused <code> [detail]` (that poll alone is refused; the other polls of the call stand).
enum PollOutcome {
    /// Every poll's outcome, in order. A reply or a line of another shape is a bug of ours, and fails closed: a line,
    /// only its own poll; a reply, the whole call.
    static func outcomes(_ reply: RedisValue) throws(CoreError) -> [Result<InvitationDecision, CoreError>] {
        guard case .array(let lines) = reply else { throw .unavailable("invitation returned \(reply)") }
        return lines.map { line in
            guard case .bulk(let bytes) = line, let outcome = Self.outcome(String(decoding: bytes, as: UTF8.self)) else {
                return .failure(.unavailable("invitation returned the line \(line)"))
            }
            return outcome
        }
    }

    static func outcome(_ line: String) -> Result<InvitationDecision, CoreError>? {
        let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        switch (words.first, words.count) {
        case ("invite", 4):
            guard let expiresAt = Int64(words[3]) else { return nil }
            return .success(.invite(InvitationHold(id: String(words[1]), queue: String(words[2]), expiresAt: expiresAt)))
        case ("withhold", 3):
            guard let reason = WithholdReason(rawValue: String(words[1])), let retryMs = Int(words[2]) else { return nil }
            // Round up, so a client never polls before the reason can have changed.
            return .success(.withhold(reason: reason, retryAfterSeconds: max(1, (retryMs + 999) / 1_000)))
        case ("refused", 2...):
            return .failure(Refusal.error(for: line.dropFirst("refused ".count).description))
        default:
            return nil
        }
    }
}
