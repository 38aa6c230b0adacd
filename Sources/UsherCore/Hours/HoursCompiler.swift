internal import Foundation

/// Turns a schedule into the instants its queue opens and closes, in UTC, for a window of time. Redis keeps those
/// instants, so every decision checks hours on Redis's clock in the same script, while time zones and daylight saving
/// are Foundation's calendar's business, here.
struct HoursCompiler {
    /// An instant at which the state changes; the first one of a window states where the window starts.
    struct Transition: Equatable {
        let milliseconds: Int64
        let open: Bool
    }

    private let calendar: Calendar

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    func transitions(_ schedule: BusinessHours.Schedule, from start: Date, until end: Date) -> [Transition] {
        let exceptions = Dictionary(
            (schedule.exceptions ?? []).compactMap { exception in LocalDate(exception.date).map { ($0, exception.hours) } },
            uniquingKeysWith: { first, _ in first }
        )
        // From the day before the window, so an interval that runs past midnight into it is seen.
        var intervals: [(start: Date, end: Date)] = []
        var day = self.calendar.date(byAdding: .day, value: -1, to: self.calendar.startOfDay(for: start))!
        while day < end {
            let components = self.calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            let date = LocalDate(year: components.year!, month: components.month!, day: components.day!)
            let rules = exceptions[date] ?? schedule.weekly[BusinessHours.weekdays[components.weekday! - 1]] ?? []
            for rule in rules {
                guard let open = BusinessHours.minutes(rule.open), let close = BusinessHours.minutes(rule.close) else { continue }
                let from = self.instant(date, minutes: open)
                let to = self.instant(date, minutes: close > open ? close : close + 24 * 60)
                if to > from { intervals.append((from, to)) }
            }
            day = self.calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return Self.transitions(merging: intervals, from: start, until: end)
    }

    /// The instant of a local wall-clock time; minutes may pass midnight. A time that daylight saving skips is taken
    /// as the calendar moves it (forward by the gap).
    private func instant(_ date: LocalDate, minutes: Int) -> Date {
        var day = self.calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
        if minutes >= 24 * 60 {
            day = self.calendar.date(byAdding: .day, value: minutes / (24 * 60), to: day)!
        }
        let local = self.calendar.dateComponents([.year, .month, .day], from: day)
        let time = minutes % (24 * 60)
        return self.calendar.date(
            from: DateComponents(year: local.year, month: local.month, day: local.day, hour: time / 60, minute: time % 60)
        )!
    }

    private static func transitions(merging intervals: [(start: Date, end: Date)], from start: Date, until end: Date) -> [Transition] {
        var merged: [(start: Date, end: Date)] = []
        for interval in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, interval.start <= last.end {
                merged[merged.count - 1].end = max(last.end, interval.end)
            } else {
                merged.append(interval)
            }
        }
        let openAtStart = merged.contains { $0.start <= start && start < $0.end }
        var transitions = [Transition(milliseconds: Self.milliseconds(start), open: openAtStart)]
        for interval in merged {
            if interval.start > start, interval.start < end {
                transitions.append(Transition(milliseconds: Self.milliseconds(interval.start), open: true))
            }
            if interval.end > start, interval.end < end {
                transitions.append(Transition(milliseconds: Self.milliseconds(interval.end), open: false))
            }
        }
        return transitions
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }
}
