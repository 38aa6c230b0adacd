import Foundation
import Testing

@testable import UsherCore

@Suite("the key schema")
struct KeySchemaTests {
    @Test("no script spells a key: every key comes from K, and every name of the schema is used by some script")
    func scriptsUseTheSchema() {
        // The table K itself is the one place a key is built from the prefix.
        let sources = Script.allCases.map { $0.redisScript.source.replacingOccurrences(of: SiteKeys.lua, with: "K") }
        for (script, source) in zip(Script.allCases, sources) {
            #expect(!source.contains("P .. '"), "\(script) builds a key by hand")
        }
        let unused = SiteKeys.Name.allCases.filter { name in
            name != .settings && !sources.contains { $0.contains("K.\(name)") }
        }
        #expect(unused.isEmpty, "names no script uses: \(unused)")
    }

    @Test("a family's keys take the id after the name; the Swift side builds the same keys as the scripts")
    func keys() {
        let keys = SiteKeys(site: "shop")
        #expect(keys.settings == "usher:{shop}:settings")
        #expect(keys.key(.minute) + "29935415" == "usher:{shop}:m:29935415")
        #expect(SiteKeys.lua.contains("tokenIds = P .. 'token-ids'"))
    }

    @Test("no script spells a decision count: every one comes from C, and every name is counted by some script")
    func scriptsUseTheCounts() {
        let sources = Script.allCases.map { $0.redisScript.source.replacingOccurrences(of: DecisionCount.lua, with: "C") }
        for (script, source) in zip(Script.allCases, sources) {
            #expect(!source.contains("count('"), "\(script) names a count by hand")
        }
        let unused = DecisionCount.allCases.filter { name in !sources.contains { $0.contains("C.\(name)") } }
        #expect(unused.isEmpty, "counts no script makes: \(unused)")
        #expect(DecisionCount.withheldBy.detail(of: "withheld:no_capacity") == "no_capacity")
        #expect(DecisionCount.withheldBy.detail(of: "withheld") == nil)
    }
}
