import Foundation
import RedisClient
import RedisTestSupport
import Testing

@testable import UsherCore

@Suite("the Lua files as Redis runs them")
struct ScriptTextTests {
    /// The line of `file` (from 1) that starts with `text`, as a reader finds it.
    static func line(of text: String, in file: String) -> Int? {
        let lines = Script.file(file).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(text) }.map { $0 + 1 }
    }

    @Test("every Lua file is part of some script, and each starts with its contract")
    func files() {
        let used = Set(Script.allCases.flatMap(\.files))
        #expect(used == Set(LuaFiles.contents.keys))
        for name in used {
            #expect(Script.file(name).hasPrefix("-- "), "\(name) does not start with its contract")
        }
    }

    /// A value of every script's arguments but invitation.lua's, whose polls repeat (see `pollsContract`).
    static var samples: [any ScriptArguments] {
        [
            PresenceArguments(agent: "a1", status: .available, maxChats: 2, queues: ["default"], session: "s1"),
            AcceptArguments(invitation: "i1", visitor: "v1", chat: "c1", name: "Ann", locale: "fr"),
            DeclineArguments(invitation: "i1", visitor: "v1"),
            ChatRequestArguments(chat: "c1", visitor: "v1", queue: "default", source: .reactive, priority: 0, name: "Ann", locale: "fr"),
            ChatViewArguments(chat: "c1", visitor: nil),
            ChatCancelArguments(chat: "c1", visitor: "v1"),
            ChatEndArguments(chat: "c1", sampleWeight: 0.5),
            FirstResponseArguments(chat: "c1", sampleWeight: 0.5, keptSamples: 10),
            AgentChatsArguments(agent: "a1"),
            PreludeOnlyArguments(script: .sweep),
            CapacityArguments(leaseMilliseconds: 0, listedAgents: 10, agentsAfter: "a0", correctedAgents: 100, foldMinutes: 60),
            ReconcileArguments(repair: false, toleranceMilliseconds: 1_000),
            PreludeOnlyArguments(script: .siteRead),
            TokenIssueArguments(id: "t1", token: "secret", role: .website, agent: nil),
            TokenRevokeArguments(id: "t1"),
            CannedPutArguments(name: "n1", message: "{}", limit: 10),
            CannedDeleteArguments(name: "n1"),
            PreludeOnlyArguments(script: .cannedRead),
            HoursPutArguments(document: "{}", timeZone: "UTC", horizonMilliseconds: 0, expected: nil, scopes: "[]"),
            PreludeOnlyArguments(script: .hoursDelete),
            PreludeOnlyArguments(script: .hoursRead),
            PreludeOnlyArguments(script: .historyRead),
        ]
    }

    /// The names a file's header gives its ARGV (`--   [13] name  …`), in order.
    static func headerArguments(_ file: String) -> [String] {
        Script.file(file).split(separator: "\n").compactMap { line in
            line.firstMatch(of: /^--   (?:ARGV)?\[([0-9]+)\] +([A-Za-z]+)/).map { String($0.output.2) }
        }
    }

    @Test("each script's header lists the arguments its Swift value has, in the order it renders them")
    func contracts() {
        #expect(Set(Self.samples.map(\.script)).union([.siteSettings, .invitation]) == Set(Script.allCases))
        for sample in Self.samples {
            let file = "\(sample.script).lua"
            let fields = Mirror(reflecting: sample).children.compactMap(\.label).filter { $0 != "script" }
            #expect(Self.headerArguments(file) == fields, "\(file)")
            #expect(sample.rendered.count == fields.count, "\(file)")
            // Each text field goes out at its own position: the samples' texts differ, so a swap shows.
            let texts = Mirror(reflecting: sample).children.filter { $0.label != "script" }.enumerated()
                .compactMap { index, field in (field.value as? String).map { (index, $0) } }
            #expect(Set(texts.map(\.1)).count == texts.count, "\(file): sample texts must differ")
            for (index, text) in texts where index < sample.rendered.count {
                #expect(sample.rendered[index] == text, "\(file): ARGV[\(13 + index)]")
            }
        }
        let caller = Caller.bearer("t1", address: "192.0.2.1")
        let prelude = PreludeArguments(caller: caller, roles: [.ops], agent: "a1", limits: PreludeArguments.Limits(BrokerConfiguration()))
        let rendered = prelude.rendered(followedBy: ["own"])
        let names = Self.headerArguments("prelude.lua")
        #expect(names.count + 1 == rendered.count)
        #expect(Array(names.prefix(4)) == ["caller", "roles", "agent", "address"])
        #expect(Array(rendered.prefix(4)) == ["bearer t1", "ops", "a1", "192.0.2.1"])
        // The limits in prelude.lua's order, each told apart by its value.
        let limits = BrokerConfiguration(
            sweepLimit: 1, retentionSeconds: 2, historyRetentionSeconds: 3, maxQueuesPerSite: 4, maxAgentsPerSite: 5,
            maxTokensPerSite: 6, maxSupersededSessions: 7, maxRetainedPerSite: 8
        )
        #expect(PreludeArguments.Limits(limits).rendered == ["1", "2000", "3000", "4", "5", "6", "7", "8"])
        #expect(rendered.last == "own")
        #expect(Self.headerArguments("siteSettings.lua") == ["update"])
    }

    @Test("invitation.lua's header lists its seed and then one poll's arguments, which repeat in that order")
    func pollsContract() {
        let arguments = InvitationArguments(
            seed: "s0",
            polls: [
                .init(visitor: "v1", queue: "q1", locale: "fr", address: "192.0.2.1"),
                .init(visitor: "v2", queue: "q2", locale: nil, address: "192.0.2.2"),
            ]
        )
        let pollFields = Mirror(reflecting: arguments.polls[0]).children.compactMap(\.label)
        #expect(Self.headerArguments("invitation.lua") == ["seed"] + pollFields)
        #expect(Mirror(reflecting: arguments).children.compactMap(\.label) == ["seed", "polls"])
        #expect(arguments.rendered == ["s0", "v1", "q1", "fr", "192.0.2.1", "v2", "q2", "", "192.0.2.2"])
    }

    @Test("every line Redis runs is where it is in its file")
    func linesStay() {
        for script in Script.allCases {
            let loaded = script.text.source.split(separator: "\n", omittingEmptySubsequences: false)
            var line = 1
            for name in script.files {
                let written = Script.file(name).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                for (index, text) in written.enumerated() {
                    #expect(script.text.location(ofLine: line) == "\(name):\(index + 1)")
                    // A comment line is left empty; every other line is the file's, written out.
                    let expected = text.trimmingCharacters(in: .whitespaces).hasPrefix("--") ? "" : Script.expand(String(text))
                    #expect(String(loaded[line - 1]) == expected, "\(script) line \(line) is not \(name):\(index + 1)")
                    line += 1
                }
            }
            #expect(script.text.location(ofLine: line) == nil)
            #expect(script.text.location(ofLine: 0) == nil)
        }
    }

    @Test("an error Redis reports names the line of the prelude or of the script's own file")
    func errorsNameTheirFile() async throws {
        let text = Script.decline.text
        let preludeLines = text.files[0].lines + text.files[1].lines
        #expect(
            text.located("ERR user_script:\(preludeLines + 3): boom script: 9a19, on @user_script:\(preludeLines + 3).")
                == "ERR decline.lua:3: boom script: 9a19, on decline.lua:3.")
        #expect(text.located("ERR user_script:\(text.files[0].lines + 5): boom") == "ERR prelude.lua:5: boom")
        #expect(text.located("ERR user_script:99999: boom") == "ERR user_script:99999: boom")

        try await CoreHarness.run { h in
            let keys = [SiteKeys(site: h.site).settings]
            let prelude = PreludeArguments(caller: .admin, roles: [.ops], agent: "", limits: PreludeArguments.Limits(BrokerConfiguration()))
            /// The error of running `script` with these arguments, as the core reports it.
            func failure(_ script: Script, _ arguments: [String]) async -> String {
                do {
                    let _: EmptyReply = try await h.broker.run(script, keys: keys, arguments: arguments)
                    return "no error"
                } catch {
                    return "\(error)"
                }
            }
            // A sweep limit that is no number fails in the prelude's sweep, at its first use: Redis refuses it as a LIMIT.
            var arguments = prelude.rendered(followedBy: [])
            arguments[4] = "many"
            let sweepLine = try #require(Self.line(of: "lapsed = redis.call('ZRANGEBYSCORE', K.presence", in: "prelude.lua"))
            let sweep = await failure(.sweep, arguments)
            #expect(sweep.contains("value is not an integer") && sweep.hasSuffix("on prelude.lua:\(sweepLine).\")"), "\(sweep)")
            // Scopes that are no JSON fail in hoursPut.lua itself.
            let hours = HoursPutArguments(document: "{}", timeZone: "UTC", horizonMilliseconds: 0, expected: nil, scopes: "[")
            let decodeLine = try #require(Self.line(of: "local doc, zone, horizon, expected, scopes", in: "hoursPut.lua"))
            let decode = await failure(.hoursPut, prelude.rendered(followedBy: hours.rendered))
            #expect(decode.contains("ERR hoursPut.lua:\(decodeLine): Expected value"), "\(decode)")
            #expect(!decode.contains("user_script"), "\(decode)")
        }
    }
}
