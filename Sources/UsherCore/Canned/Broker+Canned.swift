internal import Foundation

extension Broker {
    // MARK: Canned messages (ops)

    /// Saves a canned message under `name`; its template is parsed and checked here, so a broken one is refused now,
    /// never discovered while a visitor waits.
    public func putCannedMessage(
        site: String, caller: Caller, name: String, message: CannedMessage
    ) async throws(CoreError) -> (message: NamedCannedMessage, created: Bool) {
        let name = try Identifier.validate(name, field: "name")
        try message.validate(maxTemplateCharacters: self.configuration.maxTemplateCharacters)
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        } catch {
            throw .invalid(field: "template", message: "the message cannot be encoded: \(error)")
        }
        let arguments = CannedPutArguments(name: name, message: json, limit: self.configuration.maxCannedMessages)
        let reply: CannedPutReply = try await self.call(arguments, site: site, caller: caller, roles: [.ops])
        return (NamedCannedMessage(name: name, message: message, updatedAt: reply.updatedAt), reply.created)
    }

    public func cannedMessages(site: String, caller: Caller) async throws(CoreError) -> [NamedCannedMessage] {
        let reply: CannedReadReply = try await self.call(PreludeOnlyArguments(script: .cannedRead), site: site, caller: caller, roles: [.ops])
        return reply.named
    }

    public func cannedMessage(site: String, caller: Caller, name: String) async throws(CoreError) -> NamedCannedMessage {
        let name = try Identifier.validate(name, field: "name")
        guard let found = try await self.cannedMessages(site: site, caller: caller).first(where: { $0.name == name }) else {
            throw .notFound("no such canned message")
        }
        return found
    }

    public func deleteCannedMessage(site: String, caller: Caller, name: String) async throws(CoreError) {
        let name = try Identifier.validate(name, field: "name")
        let _: EmptyReply = try await self.call(CannedDeleteArguments(name: name), site: site, caller: caller, roles: [.ops])
    }

    // MARK: First responses

    /// The chat with its first response rendered for its visitor.
    func answered(_ reply: ChatReply, site: String, caller: Caller) async -> ChatRecord {
        var record = reply.record
        let variables = TemplateVariables(
            visitorName: record.name, queue: record.queue, position: record.position,
            estimatedWaitSeconds: record.estimatedWaitSeconds
        )
        record.firstResponse = await self.render(
            reply.firstResponseKind, site: site, caller: caller, version: reply.cannedVersion, locale: record.locale,
            variables: variables
        )
        return record
    }

    /// The site's most specific canned message for the moment, or the built-in one, rendered.
    func render(
        _ kind: FirstResponse.Kind, site: String, caller: Caller, version: Int, locale: String?, variables: TemplateVariables
    ) async -> FirstResponse {
        let messages = await self.cannedTemplates(site: site, caller: caller, version: version)
        let chosen = CannedSelection.select(kind: kind, queue: variables.queue, locale: locale, from: messages, by: \.message)
        let template = chosen?.template ?? BuiltInMessages.template(for: kind)
        return FirstResponse(kind: kind, text: template.render(variables))
    }

    /// The site's parsed messages of `version`: from this instance's cache, or read once from Redis when another
    /// instance changed them. Version 0 means the site never had any. If Redis cannot be read now, whatever the
    /// cache has: the decision is already made, and a slightly old message beats failing it.
    private func cannedTemplates(site: String, caller: Caller, version: Int) async -> [CannedCache.Entry] {
        if version == 0 { return [] }
        if let cached = self.cannedCache.current(site, version: version) { return cached.messages }
        do {
            let reply: CannedReadReply = try await self.call(
                PreludeOnlyArguments(script: .cannedRead), site: site, caller: caller, roles: [.website, .agent, .ops]
            )
            let entries = reply.named.compactMap { named -> CannedCache.Entry? in
                // Saved messages were checked when saved; one that no longer compiles is skipped, not fatal.
                guard let template = try? CompiledTemplate(named.message.template) else { return nil }
                return CannedCache.Entry(name: named.name, message: named.message, template: template)
            }
            self.cannedCache.store(site, CannedCache.Site(version: reply.version, messages: entries))
            return entries
        } catch {
            return self.cannedCache.any(site)?.messages ?? []
        }
    }
}

struct EmptyReply: Decodable {}

struct CannedPutReply: Decodable {
    let created: Bool
    let updatedAt: Int64
}

struct CannedReadReply: Decodable {
    struct Stored: Decodable {
        let kind: FirstResponse.Kind
        let queue: String?
        let locale: String?
        let template: String
        let updatedAt: Int64
    }

    let version: Int
    let messages: [String: Stored]?

    /// By name, so lists and selection are deterministic.
    var named: [NamedCannedMessage] {
        (self.messages ?? [:]).sorted { $0.key < $1.key }.map { name, stored in
            NamedCannedMessage(
                name: name,
                message: CannedMessage(kind: stored.kind, queue: stored.queue, locale: stored.locale, template: stored.template),
                updatedAt: stored.updatedAt
            )
        }
    }
}
