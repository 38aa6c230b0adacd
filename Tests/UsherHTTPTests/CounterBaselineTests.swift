import Testing

@testable import UsherHTTP

@Suite("counter baseline")
struct CounterBaselineTests {
    @Test("a reading that another sampler finished late, older and lower, neither counts nor resets the baseline")
    func lateReadingIgnored() {
        var baseline = CounterBaseline()
        #expect(baseline.advance("s|q|withheld", to: 3, at: 2_000) == 3)
        #expect(baseline.advance("s|q|withheld", to: 2, at: 1_000) == 0)
        #expect(baseline.advance("s|q|withheld", to: 3, at: 3_000) == 0)
        #expect(baseline.advance("s|q|withheld", to: 5, at: 4_000) == 2)
    }

    @Test("a later total below the last one is a reset: a new baseline, and counting goes on from it")
    func resetStartsAgain() {
        var baseline = CounterBaseline()
        #expect(baseline.advance("k", to: 10, at: 1) == 10)
        #expect(baseline.advance("k", to: 1, at: 2) == 0)
        #expect(baseline.advance("k", to: 4, at: 3) == 3)
    }
}
