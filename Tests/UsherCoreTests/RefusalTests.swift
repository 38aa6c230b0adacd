import Foundation
import Testing

@testable import UsherCore

@Suite("refusals")
struct RefusalTests {
    /// Every refusal code the scripts' text can send: `fail('code` anywhere, and the codes `authorize()` returns
    /// (its caller fails with them).
    static var sentCodes: Set<String> {
        var codes = Script.allCases.reduce(into: Set<String>()) { codes, script in
            codes.formUnion(Self.matches(#"fail\('([a-z_]+)"#, in: script.redisScript.source))
        }
        let prelude = Script.file("prelude.lua")
        if let start = prelude.range(of: "local function authorize()"),
            let end = prelude.range(of: "\nend\n", range: start.upperBound..<prelude.endIndex)
        {
            codes.formUnion(Self.matches(#"return '([a-z_]+)'"#, in: String(prelude[start.lowerBound..<end.upperBound])))
        }
        return codes
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("every code a script sends is a refusal the core knows, and every refusal is sent by some script")
    func bothSidesAgree() {
        let known = Set(Refusal.allCases.map(\.rawValue))
        let sent = Self.sentCodes
        #expect(sent.subtracting(known).isEmpty, "sent but unknown: \(sent.subtracting(known).sorted())")
        #expect(known.subtracting(sent).isEmpty, "known but never sent: \(known.subtracting(sent).sorted())")
    }

    @Test("a refusal's detail reaches its error; an unknown code fails closed")
    func decoding() {
        #expect(Refusal.error(for: "rate_limited 1500") == .rateLimited(retryAfterSeconds: 2))
        #expect(Refusal.error(for: "rate_limited") == .rateLimited(retryAfterSeconds: 1))
        #expect(Refusal.error(for: "not_found") == .notFound("no such invitation or chat"))
        #expect(Refusal.error(for: "canned_conflict c1") == .conflict("canned message c1 already answers this kind, queue and locale"))
        #expect(Refusal.error(for: "no_such_code") == .unavailable("unknown script error no_such_code"))
    }
}
