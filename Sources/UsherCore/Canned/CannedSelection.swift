/// Which canned message answers a chat: the most specific one that fits.
///
/// For the chat's kind: the queue's message in the visitor's exact locale, then in the locale's language only
/// (`de-CH` → `de`), then the queue's message without a locale; then the same three steps among the site-wide
/// messages (no queue), the last of which is the site default for the kind. Nil means the built-in default.
/// Locales compare without regard to case, as language tags do.
public enum CannedSelection {
    public static func select<Message>(
        kind: FirstResponse.Kind,
        queue: String,
        locale: String?,
        from messages: [Message],
        by message: (Message) -> CannedMessage
    ) -> Message? {
        let candidates = messages.filter { message($0).kind == kind }
        let exact = locale?.lowercased()
        let language = exact.flatMap { $0.split(separator: "-").first.map(String.init) }
        var localeSteps: [String?] = []
        if let exact { localeSteps.append(exact) }
        if let language, language != exact { localeSteps.append(language) }
        localeSteps.append(nil)
        for scope in [queue, nil] as [String?] {
            for step in localeSteps {
                if let found = candidates.first(where: { message($0).queue == scope && message($0).locale?.lowercased() == step }) {
                    return found
                }
            }
        }
        return nil
    }
}
