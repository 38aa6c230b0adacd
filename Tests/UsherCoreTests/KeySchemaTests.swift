import Foundation
import Testing

@testable import UsherCore

@Suite("the key schema, the counted names and the history measures")
struct KeySchemaTests {
    /// Each script's files as written, before `Script.expand`.
    static let written = Script.allCases.map { $0.files.map(Script.file).joined() }

    @Test("no script spells a key: every key is a K name, and every name of the schema is used by some script")
    func scriptsUseTheSchema() {
        for (script, source) in zip(Script.allCases, Self.written) {
            #expect(!source.contains("P .. '"), "\(script) builds a key by hand")
        }
        let unused = SiteKeys.Name.allCases.filter { name in
            name != .settings && !Self.written.contains { $0.contains("K.\(name)") }
        }
        #expect(unused.isEmpty, "names no script uses: \(unused)")
    }

    @Test("no script spells a decision count: every one is a C name, and every name is counted by some script")
    func scriptsUseTheCounts() {
        for (script, source) in zip(Script.allCases, Self.written) {
            #expect(!source.contains("count('"), "\(script) names a count by hand")
        }
        let unused = DecisionCount.allCases.filter { name in !Self.written.contains { $0.contains("C.\(name)") } }
        #expect(unused.isEmpty, "counts no script makes: \(unused)")
        #expect(DecisionCount.withheldBy.detail(of: "withheld:no_capacity") == "no_capacity")
        #expect(DecisionCount.withheldBy.detail(of: "withheld") == nil)
    }

    @Test("no script spells a history measure: every one is an H name, and every name is written by some script")
    func scriptsUseTheMeasures() {
        for (script, source) in zip(Script.allCases, Self.written) {
            #expect(source.firstMatch(of: /roll\([^,]+, '/) == nil, "\(script) names a measure by hand")
        }
        let unused = HistoryMeasure.allCases.filter { name in !Self.written.contains { $0.contains("H.\(name)") } }
        #expect(unused.isEmpty, "measures no script writes: \(unused)")
        #expect(HistoryMeasure.agents.isGauge && !HistoryMeasure.ttfrMs.isGauge)
    }

    @Test("the loaded scripts have every name written out, as the Swift side builds the same keys")
    func expanded() {
        #expect(
            Script.expand("redis.call('SADD', K.agent .. a .. ':chats', C.startedBy .. 'x')")
                == "redis.call('SADD', (P .. 'agent:') .. a .. ':chats', 'started:' .. 'x')")
        #expect(Script.expand("roll(q, H.samples, 1)") == "roll(q, 'samples', 1)")
        #expect(Script.expand("local DEFAULTS = S.defaults") == "local DEFAULTS = " + SiteSettings.luaDefaults)
        for script in Script.allCases {
            #expect(script.redisScript.source.firstMatch(of: /\b[KCHS]\.[A-Za-z]/) == nil, "\(script) still names something")
        }
        let keys = SiteKeys(site: "shop")
        #expect(keys.settings == "usher:{shop}:settings")
        #expect(keys.key(.minute) + "29935415" == "usher:{shop}:m:29935415")
    }
}
