internal import Foundation

extension Broker {
    // MARK: Business hours (ops)

    /// Saves the site's business hours and compiles them for the configured horizon.
    /// The caller is checked first: compiling a schedule is work no stranger may ask for.
    public func putHours(site: String, caller: Caller, hours: BusinessHours) async throws(CoreError) -> BusinessHours {
        _ = try await self.site(site, caller: caller)
        let hours = try hours.validated()
        try await self.storeHours(site: site, caller: caller, hours: hours, replacing: nil, roles: [.ops])
        return hours
    }

    /// The site's business hours, nil when it has none (always open).
    public func hours(site: String, caller: Caller) async throws(CoreError) -> BusinessHours? {
        try await self.storedHours(site: site, caller: caller, roles: [.ops])?.hours
    }

    public func deleteHours(site: String, caller: Caller) async throws(CoreError) {
        let _: EmptyReply = try await self.call(PreludeOnlyArguments(script: .hoursDelete), site: site, caller: caller, roles: [.ops])
    }

    // MARK: Deciding within hours

    /// Runs a decision; if the site's compiled hours ran out, compiles them again from the stored document (only if
    /// nobody changed it meanwhile) and runs the decision once more. That happens once per horizon per site.
    func withinHours<Reply>(site: String, caller: Caller, _ decide: () async throws(CoreError) -> Reply) async throws(CoreError) -> Reply {
        do {
            return try await decide()
        } catch .hoursStale {
            let anyRole: [Role] = [.website, .agent, .bot, .ops]
            if let stored = try await self.storedHours(site: site, caller: caller, roles: anyRole) {
                try await self.storeHours(site: site, caller: caller, hours: stored.hours, replacing: stored.document, roles: anyRole)
            }
            return try await decide()
        }
    }

    private func storedHours(site: String, caller: Caller, roles: [Role]) async throws(CoreError) -> (hours: BusinessHours, document: String)? {
        let reply: HoursReadReply = try await self.call(PreludeOnlyArguments(script: .hoursRead), site: site, caller: caller, roles: roles)
        guard let document = reply.hours else { return nil }
        do {
            return (try JSONDecoder().decode(BusinessHours.self, from: Data(document.utf8)), document)
        } catch {
            throw .unavailable("stored business hours are unreadable: \(error)")
        }
    }

    /// Compiles from a day ago (Redis's clock may differ a little from this machine's) to the horizon.
    private func storeHours(
        site: String, caller: Caller, hours: BusinessHours, replacing expected: String?, roles: [Role]
    ) async throws(CoreError) {
        guard let zone = TimeZone(identifier: hours.timeZone) else {
            throw .invalid(field: "timeZone", message: "\(hours.timeZone) is not an IANA time zone")
        }
        let document: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            document = String(decoding: try encoder.encode(hours), as: UTF8.self)
        } catch {
            throw .invalid(field: "hours", message: "the hours cannot be encoded: \(error)")
        }
        let now = Date()
        let start = now.addingTimeInterval(-86_400)
        let end = now.addingTimeInterval(Double(self.configuration.hoursHorizonDays) * 86_400)
        let compiler = HoursCompiler(timeZone: zone)
        var scopes: [(queue: String, schedule: BusinessHours.Schedule)] = [("", hours.siteSchedule)]
        for (queue, schedule) in (hours.queues ?? [:]).sorted(by: { $0.key < $1.key }) {
            scopes.append((queue, schedule))
        }
        // One JSON argument for all scopes, so no queue name can be mistaken for structure.
        var compiled: [HoursScope] = []
        for scope in scopes {
            let transitions = compiler.transitions(scope.schedule, from: start, until: end).map {
                [String($0.milliseconds), $0.open ? "o" : "c"]
            }
            compiled.append(HoursScope(queue: scope.queue, transitions: transitions))
        }
        let scopesJSON: String
        do {
            scopesJSON = String(decoding: try JSONEncoder().encode(compiled), as: UTF8.self)
        } catch {
            throw .unavailable("encoding business hours: \(error)")
        }
        let arguments = HoursPutArguments(
            document: document, timeZone: hours.timeZone, horizonMilliseconds: HoursCompiler.milliseconds(end), expected: expected,
            scopes: scopesJSON
        )
        let _: EmptyReply = try await self.call(arguments, site: site, caller: caller, roles: roles)
    }
}

/// One scope's compiled instants, as the hours script takes them: `[milliseconds, "o" | "c"]` pairs.
struct HoursScope: Encodable {
    let queue: String
    let transitions: [[String]]
}

struct HoursReadReply: Decodable {
    let hours: String?
}
