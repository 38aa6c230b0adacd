import Foundation
import Testing

@testable import UsherCore

@Suite("business hours")
struct BusinessHoursTests {
    private static let zurich = TimeZone(identifier: "Europe/Zurich")!

    private func instant(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    private func transitions(_ schedule: BusinessHours.Schedule, _ from: String, _ until: String, zone: TimeZone = Self.zurich) -> [String] {
        HoursCompiler(timeZone: zone).transitions(schedule, from: self.instant(from), until: self.instant(until)).map {
            let date = Date(timeIntervalSince1970: Double($0.milliseconds) / 1_000)
            return ($0.open ? "open " : "close ") + date.formatted(.iso8601)
        }
    }

    private static func daily(_ open: String, _ close: String) -> [String: [BusinessHours.Interval]] {
        Dictionary(uniqueKeysWithValues: BusinessHours.weekdays.map { ($0, [BusinessHours.Interval(open: open, close: close)]) })
    }

    @Test("an interval closing before it opens runs past midnight into the next day")
    func acrossMidnight() {
        // 2026-11-27 is a Friday; Zurich is UTC+1 in November.
        let schedule = BusinessHours.Schedule(weekly: ["friday": [.init(open: "22:00", close: "02:00")]])
        #expect(
            self.transitions(schedule, "2026-11-27T12:00:00Z", "2026-11-29T00:00:00Z") == [
                "close 2026-11-27T12:00:00Z", "open 2026-11-27T21:00:00Z", "close 2026-11-28T01:00:00Z",
            ]
        )
        // Starting inside the interval, after midnight: open at the start, closed at 02:00 local.
        #expect(
            self.transitions(schedule, "2026-11-28T00:30:00Z", "2026-11-29T00:00:00Z") == [
                "open 2026-11-28T00:30:00Z", "close 2026-11-28T01:00:00Z",
            ]
        )
    }

    @Test("local opening times keep their wall-clock time across a daylight-saving change")
    func acrossDaylightSaving() {
        // Zurich moves from UTC+1 to UTC+2 on 2026-03-29 and back on 2026-10-25.
        let schedule = BusinessHours.Schedule(weekly: Self.daily("09:00", "17:00"))
        #expect(
            self.transitions(schedule, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z") == [
                "close 2026-03-28T00:00:00Z", "open 2026-03-28T08:00:00Z", "close 2026-03-28T16:00:00Z",
                "open 2026-03-29T07:00:00Z", "close 2026-03-29T15:00:00Z",
            ]
        )
        #expect(
            self.transitions(schedule, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z") == [
                "close 2026-10-24T00:00:00Z", "open 2026-10-24T07:00:00Z", "close 2026-10-24T15:00:00Z",
                "open 2026-10-25T08:00:00Z", "close 2026-10-25T16:00:00Z",
            ]
        )
        // A night shift over the change lasts an hour less in spring: 22:00 CET to 06:00 CEST is 7 hours.
        let night = BusinessHours.Schedule(weekly: ["saturday": [.init(open: "22:00", close: "06:00")]])
        #expect(
            self.transitions(night, "2026-03-28T12:00:00Z", "2026-03-30T00:00:00Z") == [
                "close 2026-03-28T12:00:00Z", "open 2026-03-28T21:00:00Z", "close 2026-03-29T04:00:00Z",
            ]
        )
    }

    @Test("a dated exception replaces its weekday's hours: a holiday closes, a short day shortens")
    func holidays() {
        let schedule = BusinessHours.Schedule(
            weekly: Self.daily("09:00", "17:00"),
            exceptions: [.init(date: "2026-12-25", hours: []), .init(date: "2026-12-24", hours: [.init(open: "09:00", close: "12:00")])]
        )
        #expect(
            self.transitions(schedule, "2026-12-24T00:00:00Z", "2026-12-27T00:00:00Z") == [
                "close 2026-12-24T00:00:00Z", "open 2026-12-24T08:00:00Z", "close 2026-12-24T11:00:00Z",
                "open 2026-12-26T08:00:00Z", "close 2026-12-26T16:00:00Z",
            ]
        )
    }

    @Test("touching and overlapping intervals merge; 00:00 to 24:00 every day is always open")
    func merging() {
        let split = BusinessHours.Schedule(weekly: [
            "monday": [.init(open: "09:00", close: "12:00"), .init(open: "11:00", close: "13:00"), .init(open: "13:00", close: "14:00")]
        ])
        #expect(
            self.transitions(split, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z") == [
                "close 2026-11-23T00:00:00Z", "open 2026-11-23T08:00:00Z", "close 2026-11-23T13:00:00Z",
            ]
        )
        let always = BusinessHours.Schedule(weekly: Self.daily("00:00", "24:00"))
        #expect(self.transitions(always, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z") == ["open 2026-11-23T00:00:00Z"])
    }

    @Test("bad hours are refused naming the field")
    func validation() {
        func field(_ hours: BusinessHours) -> String? {
            do {
                _ = try hours.validated()
                return nil
            } catch {
                guard case .invalid(let field, _) = error else { return "unexpected" }
                return field
            }
        }
        let ok = ["monday": [BusinessHours.Interval(open: "09:00", close: "17:00")]]
        #expect(field(BusinessHours(timeZone: "Europe/Zurich", weekly: ok)) == nil)
        #expect(field(BusinessHours(timeZone: "Mars/Olympus", weekly: ok)) == "timeZone")
        #expect(field(BusinessHours(timeZone: "UTC", weekly: ["mon": [.init(open: "09:00", close: "17:00")]])) == "weekly")
        #expect(field(BusinessHours(timeZone: "UTC", weekly: ["monday": [.init(open: "9:00", close: "17:00")]])) == "weekly.monday")
        #expect(field(BusinessHours(timeZone: "UTC", weekly: ["monday": [.init(open: "24:00", close: "01:00")]])) == "weekly.monday")
        #expect(field(BusinessHours(timeZone: "UTC", weekly: ["monday": [.init(open: "00:00", close: "24:00")]])) == nil)
        #expect(field(BusinessHours(timeZone: "UTC", weekly: ["monday": [.init(open: "10:00", close: "10:00")]])) == "weekly.monday")
        #expect(field(BusinessHours(timeZone: "UTC", weekly: ok, exceptions: [.init(date: "2026-02-30", hours: [])])) == "exceptions")
        #expect(
            field(BusinessHours(timeZone: "UTC", weekly: ok, queues: ["bad:queue": .init(weekly: ok)])) == "queues"
        )
        #expect(
            field(BusinessHours(timeZone: "UTC", weekly: ok, queues: ["sales": .init(weekly: ["monday": [.init(open: "x", close: "y")]])]))
                == "queues.sales.weekly.monday"
        )
    }

    @Test("the next opening is written in the site's zone and the visitor's language")
    func openingText() {
        let monday9 = Int64(self.instant("2026-11-30T08:00:00Z").timeIntervalSince1970 * 1_000)
        let english = OpeningFormatter.format(monday9, timeZone: "Europe/Zurich", locale: "en")
        #expect(english.contains("Mon") && english.contains("09:00"))
        let german = OpeningFormatter.format(monday9, timeZone: "Europe/Zurich", locale: "de-CH")
        #expect(german.contains("Mo") && german.contains("09:00"))
    }
}
