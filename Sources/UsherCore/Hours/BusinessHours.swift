internal import Foundation

/// When a site, and optionally each of its queues, takes chats: a weekly schedule in the site's IANA time zone plus
/// dated exceptions (holidays, short days). Without business hours a site is always open.
public struct BusinessHours: Sendable, Equatable, Codable {
    /// Opening intervals per day at most, exceptions per schedule, queues with their own schedule.
    public static let maxIntervalsPerDay = 8
    public static let maxExceptions = 400
    public static let maxQueues = 100
    public static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// Local wall-clock times `HH:mm`. A close at or before the open runs past midnight into the next day; `24:00`
    /// closes at midnight.
    public struct Interval: Sendable, Equatable, Codable {
        public var open: String
        public var close: String

        public init(open: String, close: String) {
            self.open = open
            self.close = close
        }
    }

    /// The hours of one local date (`yyyy-MM-dd`) instead of its weekday's; no intervals means closed all day.
    public struct DatedHours: Sendable, Equatable, Codable {
        public var date: String
        public var hours: [Interval]

        public init(date: String, hours: [Interval]) {
            self.date = date
            self.hours = hours
        }
    }

    public struct Schedule: Sendable, Equatable, Codable {
        /// By lowercase English weekday name; a day not named is closed.
        public var weekly: [String: [Interval]]
        public var exceptions: [DatedHours]?

        public init(weekly: [String: [Interval]], exceptions: [DatedHours]? = nil) {
            self.weekly = weekly
            self.exceptions = exceptions
        }
    }

    public var timeZone: String
    public var weekly: [String: [Interval]]
    public var exceptions: [DatedHours]?
    /// Queues whose hours differ from the site's; they replace the site's hours for that queue.
    public var queues: [String: Schedule]?

    public init(timeZone: String, weekly: [String: [Interval]], exceptions: [DatedHours]? = nil, queues: [String: Schedule]? = nil) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.exceptions = exceptions
        self.queues = queues
    }

    var siteSchedule: Schedule { Schedule(weekly: self.weekly, exceptions: self.exceptions) }

    /// Checks every field; the first problem names its field.
    public func validated() throws(CoreError) -> BusinessHours {
        guard TimeZone(identifier: self.timeZone) != nil else {
            throw .invalid(field: "timeZone", message: "\(self.timeZone) is not an IANA time zone such as Europe/Zurich")
        }
        try Self.validate(self.siteSchedule, field: "")
        let queues = self.queues ?? [:]
        guard queues.count <= Self.maxQueues else {
            throw .invalid(field: "queues", message: "at most \(Self.maxQueues) queues with their own hours")
        }
        for (queue, schedule) in queues {
            _ = try Identifier.validate(queue, field: "queues")
            try Self.validate(schedule, field: "queues.\(queue).")
        }
        return self
    }

    private static func validate(_ schedule: Schedule, field prefix: String) throws(CoreError) {
        for (day, intervals) in schedule.weekly {
            guard Self.weekdays.contains(day) else {
                throw .invalid(field: "\(prefix)weekly", message: "\(day) is not a weekday; use monday … sunday")
            }
            try Self.validate(intervals, field: "\(prefix)weekly.\(day)")
        }
        let exceptions = schedule.exceptions ?? []
        guard exceptions.count <= Self.maxExceptions else {
            throw .invalid(field: "\(prefix)exceptions", message: "at most \(Self.maxExceptions) exceptions")
        }
        var seen: Set<String> = []
        for exception in exceptions {
            guard LocalDate(exception.date) != nil else {
                throw .invalid(field: "\(prefix)exceptions", message: "\(exception.date) is not a date yyyy-MM-dd")
            }
            guard seen.insert(exception.date).inserted else {
                throw .invalid(field: "\(prefix)exceptions", message: "\(exception.date) is listed twice")
            }
            try Self.validate(exception.hours, field: "\(prefix)exceptions.\(exception.date)")
        }
    }

    private static func validate(_ intervals: [Interval], field: String) throws(CoreError) {
        guard intervals.count <= Self.maxIntervalsPerDay else {
            throw .invalid(field: field, message: "at most \(Self.maxIntervalsPerDay) intervals a day")
        }
        for interval in intervals {
            guard let open = Self.minutes(interval.open), open < 24 * 60, let close = Self.minutes(interval.close) else {
                throw .invalid(field: field, message: "times are HH:mm from 00:00 to 24:00 (24:00 only as a close)")
            }
            guard open != close else {
                throw .invalid(field: field, message: "open and close must differ; 00:00 to 24:00 is all day")
            }
        }
    }

    /// Minutes after midnight of `HH:mm`, 0 … 1440.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...24).contains(hours), (0..<60).contains(minutes), hours * 60 + minutes <= 24 * 60
        else { return nil }
        return hours * 60 + minutes
    }
}

/// A calendar date without a time zone, `yyyy-MM-dd`.
struct LocalDate: Hashable {
    let year: Int
    let month: Int
    let day: Int

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}
