internal import RedisClient

/// A period of history asked for: whole minutes `[firstMinute, endMinute)` in steps of `stepMinutes`.
public struct HistoryRange: Sendable, Equatable {
    public let firstMinute: Int64
    public let endMinute: Int64
    public let stepMinutes: Int64

    /// The instants a period may start and end at, in milliseconds since 1970: from 1970 to the end of 9999, what
    /// RFC 3339 writes. Keeps every sum and product on them far inside Int64.
    public static let instants: ClosedRange<Int64> = 0...253_402_300_799_999
    /// The longest step: a year and a day, past the longest retention there is to sum over.
    public static let maxStepSeconds = 366 * 86_400

    /// `from` and `to` in milliseconds since 1970 (`from` rounds down, `to` up, to whole minutes); `stepSeconds` a
    /// multiple of 60; at most `maxPoints` steps.
    public init(from: Int64, to: Int64, stepSeconds: Int, maxPoints: Int) throws(CoreError) {
        guard stepSeconds >= 60, stepSeconds % 60 == 0 else {
            throw .invalid(field: "step", message: "step must be a whole number of minutes (60, 300, 3600, ...)")
        }
        guard stepSeconds <= Self.maxStepSeconds else {
            throw .invalid(field: "step", message: "step must be at most \(Self.maxStepSeconds) seconds (366 days)")
        }
        guard Self.instants.contains(to), to > Self.instants.lowerBound else {
            throw .invalid(field: "to", message: "to must be after 1970-01-01T00:00:00Z and before 10000-01-01T00:00:00Z")
        }
        guard Self.instants.contains(from) else {
            throw .invalid(field: "from", message: "from must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z")
        }
        guard from < to else { throw .invalid(field: "from", message: "from must be before to") }
        self.firstMinute = from / 60_000
        self.endMinute = (to + 59_999) / 60_000
        self.stepMinutes = Int64(stepSeconds / 60)
        guard self.points <= maxPoints else {
            throw .invalid(field: "step", message: "\(self.points) points asked for, at most \(maxPoints): choose a longer step or a shorter period")
        }
    }

    /// How many steps the period holds; the last may be shorter.
    public var points: Int { Int((self.endMinute - self.firstMinute + self.stepMinutes - 1) / self.stepMinutes) }
}

/// A site's history: per queue (and `*`, the site as a whole), one point per step.
public struct CapacityHistory: Sendable {
    /// One step. Gauges (agents, slots, …) are means over the samples taken in the step, nil when none was taken;
    /// the rest are counts of what happened in the step, and mean times where there was something to time.
    public struct Point: Sendable, Equatable, Encodable {
        /// The step's start, in milliseconds since 1970.
        public let at: Int64
        public var agents: Double?
        public var slots: Double?
        public var chatting: Double?
        public var held: Double?
        public var free: Double?
        public var waiting: Double?
        public var issued = 0
        public var withheld = 0
        public var accepted = 0
        public var declined = 0
        public var expired = 0
        public var withheldBy: [String: Int] = [:]
        public var started: [String: Int] = [:]
        public var ended = 0
        public var orphaned = 0
        public var abandoned = 0
        public var refused = 0
        public var firstResponses = 0
        public var timeToFirstResponseSeconds: Double?
        public var waits = 0
        public var waitSeconds: Double?

        init(at: Int64) { self.at = at }

        /// `at` is left to the answer, which writes times its own way.
        enum CodingKeys: String, CodingKey {
            case agents, slots, chatting, held, free, waiting, issued, withheld, accepted, declined, expired, withheldBy, started
            case ended, orphaned, abandoned, refused, firstResponses, timeToFirstResponseSeconds, waits, waitSeconds
        }
    }

    public let range: HistoryRange
    /// Queue → points; `*` is the whole site.
    public let series: [String: [Point]]
    /// Minutes in the period that hold data, and the Redis memory of the hashes read for them: a block's where its
    /// minutes are folded (they are kept too), else the minutes'.
    public let storedMinutes: Int
    public let bytes: Int64
    public let retentionSeconds: Int

    /// The site as a whole.
    public static let site = "*"
    /// Events of queues nobody named (see the prelude's `history_queue`): part of the site's counts only.
    static let unnamedQueue = "~"

    init(sums: consuming HistorySums, bytes: Int64, retentionSeconds: Int) {
        self.range = sums.range
        self.bytes = bytes
        self.retentionSeconds = retentionSeconds
        self.storedMinutes = sums.storedMinutes
        self.series = sums.series()
    }

    /// The history of minutes given as field → value.
    init(range: HistoryRange, minutes: [Int64: [String: Int64]], bytes: Int64, retentionSeconds: Int) {
        var sums = HistorySums(range: range)
        for (minute, fields) in minutes.sorted(by: { $0.key < $1.key }) {
            sums.add(minute: minute, reply: fields.flatMap { [RedisValue.bulk(Array($0.key.utf8)), .bulk(Array(String($0.value).utf8))] })
        }
        self.init(sums: sums, bytes: bytes, retentionSeconds: retentionSeconds)
    }
}
