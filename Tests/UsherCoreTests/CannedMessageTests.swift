import Testing

@testable import UsherCore

@Suite("canned messages: templates, selection, rendering")
struct CannedMessageTests {
    private func refusal(_ template: String) -> String? {
        do {
            _ = try CompiledTemplate(template)
            return nil
        } catch {
            guard case .invalid(let field, let message) = error else { return "unexpected \(error)" }
            #expect(field == "template")
            return message
        }
    }

    @Test("a template that does not parse is refused, naming where")
    func parseErrors() {
        #expect(self.refusal("Hi {{#visitorName}}there") != nil)
        #expect(self.refusal("Hi {{visitorName") != nil)
        let mismatch = self.refusal("Hi {{#queue}}x{{/position}}")
        // Column 18 is where the wrong closing name starts, counted in the ops' own text.
        #expect(mismatch?.contains("line 1, column 18") == true)
    }

    @Test("a template naming an unknown variable is refused, in sections and inverted sections too")
    func unknownVariables() {
        #expect(self.refusal("Hi {{visitor_name}}")?.contains("unknown variable visitor_name") == true)
        #expect(self.refusal("{{#visitorName}}Hi {{firstName}}{{/visitorName}}")?.contains("firstName") == true)
        #expect(self.refusal("{{^visitorName}}Hello {{customer}}{{/visitorName}}")?.contains("customer") == true)
        #expect(self.refusal("{{#agentName}}x{{/agentName}}")?.contains("agentName") == true)
        #expect(self.refusal("{{visitorName.first}}")?.contains("dotted") == true)
    }

    @Test("partials, blocks, delimiter changes and pragmas are refused")
    func unsupportedTags() {
        for template in ["{{> footer}}", "{{< base}}{{/base}}", "{{$block}}x{{/block}}", "{{=<% %>=}}", "{{% CONTENT_TYPE: HTML}}"] {
            #expect(self.refusal(template) != nil, "\(template)")
        }
    }

    @Test("every known variable, comments and transforms are accepted")
    func knownVariables() {
        let template =
            "{{! note }}{{#visitorName}}Hi {{visitorName}}{{/visitorName}}{{^visitorName}}Hello{{/visitorName}} {{queue}} "
            + "{{position}} {{estimatedWaitMinutes}} {{estimatedWaitSeconds}} {{opensAt}} {{uppercased(queue)}}"
        #expect(self.refusal(template) == nil)
    }

    @Test("rendering with and without a name uses the fallback section")
    func renderingWithAndWithoutName() throws {
        let template = try CompiledTemplate(
            "{{#visitorName}}Hi {{visitorName}}{{/visitorName}}{{^visitorName}}Hello{{/visitorName}}, you are #{{position}} (~{{estimatedWaitMinutes}} min)"
        )
        let named = TemplateVariables(visitorName: "Ana", queue: "support", position: 3, estimatedWaitSeconds: 61)
        #expect(template.render(named) == "Hi Ana, you are #3 (~2 min)")
        let anonymous = TemplateVariables(queue: "support", position: 1, estimatedWaitSeconds: 5)
        #expect(template.render(anonymous) == "Hello, you are #1 (~1 min)")
    }

    @Test("a visitor name with markup or template syntax stays inert plain text")
    func markupStaysInert() throws {
        let name = "<script>alert('x')</script> & {{queue}} \"q\""
        let template = try CompiledTemplate("Hi {{visitorName}}! Also {{{visitorName}}}")
        let text = template.render(TemplateVariables(visitorName: name, queue: "sales"))
        #expect(text == "Hi \(name)! Also \(name)")
        #expect(!text.contains("&lt;"))
        #expect(!text.contains("sales"))
    }

    @Test("the built-in messages render the true numbers")
    func builtInMessages() {
        let queued = BuiltInMessages.template(for: .queued).render(
            TemplateVariables(visitorName: "Bo", queue: "default", position: 2, estimatedWaitSeconds: 125)
        )
        #expect(queued == "Thanks for waiting, Bo! You are number 2 in line; we expect to be with you in about 3 min.")
        let closed = BuiltInMessages.template(for: .unavailable).render(TemplateVariables(queue: "default", opensAt: "Mon 09:00 CET"))
        #expect(closed == "Sorry, nobody can answer right now. We are open again from Mon 09:00 CET.")
        let full = BuiltInMessages.template(for: .unavailable).render(TemplateVariables(queue: "default"))
        #expect(full == "Sorry, nobody can answer right now. Please try again in a few minutes.")
    }

    @Test("selection: queue + exact locale, then language, then queue, then the site default by locale, then none")
    func selectionFallbacks() {
        let all: [(String, CannedMessage)] = [
            ("site", CannedMessage(kind: .greeting, template: "site")),
            ("site-de", CannedMessage(kind: .greeting, locale: "de", template: "site-de")),
            ("sales", CannedMessage(kind: .greeting, queue: "sales", template: "sales")),
            ("sales-de", CannedMessage(kind: .greeting, queue: "sales", locale: "de", template: "sales-de")),
            ("sales-de-ch", CannedMessage(kind: .greeting, queue: "sales", locale: "de-CH", template: "sales-de-ch")),
            ("queued", CannedMessage(kind: .queued, template: "queued")),
        ]
        func pick(_ kind: FirstResponse.Kind, _ queue: String, _ locale: String?, from messages: [(String, CannedMessage)] = all) -> String? {
            CannedSelection.select(kind: kind, queue: queue, locale: locale, from: messages, by: \.1)?.0
        }
        #expect(pick(.greeting, "sales", "de-CH") == "sales-de-ch")
        #expect(pick(.greeting, "sales", "DE-ch") == "sales-de-ch")
        #expect(pick(.greeting, "sales", "de-AT") == "sales-de")
        #expect(pick(.greeting, "sales", "fr") == "sales")
        #expect(pick(.greeting, "sales", nil) == "sales")
        #expect(pick(.greeting, "support", "de-CH") == "site-de")
        #expect(pick(.greeting, "support", "fr-CH") == "site")
        #expect(pick(.queued, "sales", "de") == "queued")
        #expect(pick(.unavailable, "sales", "de") == nil)
        let withoutQueueDefault = all.filter { $0.0 != "sales" }
        #expect(pick(.greeting, "sales", "fr", from: withoutQueueDefault) == "site")
    }
}

@Suite("canned message cache")
struct CannedCacheTests {
    private func site(version: Int, text: String) throws -> CannedCache.Site {
        let message = CannedMessage(kind: .greeting, template: text)
        return CannedCache.Site(version: version, messages: [.init(name: "g", message: message, template: try CompiledTemplate(text))])
    }

    @Test("an entry serves only its own version; an older load never replaces a newer one")
    func versions() throws {
        let cache = CannedCache(maxSites: 10)
        cache.store("s", try self.site(version: 2, text: "two"))
        #expect(cache.current("s", version: 2)?.messages.first?.message.template == "two")
        #expect(cache.current("s", version: 3) == nil)
        cache.store("s", try self.site(version: 1, text: "one"))
        #expect(cache.current("s", version: 2) != nil)
        #expect(cache.any("s")?.version == 2)
        cache.store("s", try self.site(version: 3, text: "three"))
        #expect(cache.current("s", version: 3)?.messages.first?.message.template == "three")
    }

    @Test("the cache holds at most its configured number of sites")
    func bounded() throws {
        let cache = CannedCache(maxSites: 3)
        for index in 0..<10 { cache.store("s\(index)", try self.site(version: 1, text: "t")) }
        #expect((0..<10).filter { cache.any("s\($0)") != nil }.count == 3)
        #expect(cache.any("s9") != nil)
    }
}
