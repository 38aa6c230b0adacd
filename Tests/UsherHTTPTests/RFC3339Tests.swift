import Foundation
import RedisTestSupport
import Testing

@testable import UsherHTTP

@Suite("RFC 3339 instants")
struct RFC3339Tests {
    private func read(_ text: String) -> Int64? { RFC3339.milliseconds(text[...].utf8) }

    @Test("instants the grammar allows are read to the millisecond, whatever the offset or the year")
    func valid() {
        #expect(self.read("1970-01-01T00:00:00Z") == 0)
        #expect(self.read("2026-11-23T09:00:00Z") == 1_795_424_400_000)
        #expect(self.read("2026-11-23T10:00:00.5+01:00") == 1_795_424_400_500)
        #expect(self.read("2026-11-23t09:00:00.123456789z") == 1_795_424_400_123)
        #expect(self.read("1969-12-31T23:59:59.999Z") == -1)
        #expect(self.read("2024-02-29T00:00:00Z") == 1_709_164_800_000)
        #expect(self.read("2000-02-29T00:00:00Z") == 951_782_400_000)
        #expect(self.read("1970-01-01T00:00:00+19:59") == -71_940_000)
        #expect(self.read("9999-12-31T23:59:59.999Z") == 253_402_300_799_999)
        #expect(self.read("0000-03-01T00:00:00Z") == -62_162_035_200_000)
        #expect(self.read("2016-12-31T23:59:60Z") == self.read("2017-01-01T00:00:00Z"))
    }

    @Test("what the grammar does not allow is nil: impossible days and times, other shapes, junk after the instant")
    func invalid() {
        for text in [
            "", "2026-11-23", "2026-11-23T09:00:00", "2026-11-23 09:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
            "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z",
            "2026-11-23T09:60:00Z", "2026-11-23T09:00:61Z", "2026-11-23T09:00:00.Z", "2026-11-23T09:00:00+24:00",
            "2026-11-23T09:00:00+01:60", "2026-11-23T09:00:00+0100", "12026-11-23T09:00:00Z", "+2026-11-23T09:00:00Z",
            "2026-11-23T09:00:00Zjunk", "٢٠٢٦-11-23T09:00:00Z",
        ] {
            #expect(self.read(text) == nil, "\(text)")
        }
    }

    @Test("it agrees with Foundation wherever Foundation reads an instant")
    func agreesWithFoundation() throws {
        var generator = SplitMix64(seed: 3339)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for _ in 0..<500 {
            let milliseconds = Int64(generator.next(253_402_300_800_000))
            let text = Date(timeIntervalSince1970: Double(milliseconds) / 1_000).formatted(style)
            let foundation = try style.parse(text)
            #expect(self.read(text) == Int64((foundation.timeIntervalSince1970 * 1_000).rounded()), "\(text)")
        }
    }
}
