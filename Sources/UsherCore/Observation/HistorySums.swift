internal import RedisClient

/// A history read's sums, built as the minutes arrive in order: each minute's `HGETALL` reply is added field by field
/// into the current step's sums, straight from the reply's bytes, and a step becomes its points once a later minute
/// starts another. A field name is parsed once per read (a week repeats the same few dozen names ten thousand times).
struct HistorySums {
    /// The measures a point reads by name; a family's details (`withheld:<reason>`, `started:<source>`) take the
    /// slots after them.
    private static let scalars: [String] =
        HistoryMeasure.allCases.map(\.rawValue)
        + [DecisionCount.issued, .accepted, .declined, .expired, .ended, .orphaned, .abandoned, .refused].map(\.rawValue)
    private static let scalarSlots = Dictionary(uniqueKeysWithValues: scalars.enumerated().map { ($1, $0) })

    /// What a field of the minute hashes adds to: its queue's series (nil for the unnamed queue) and the site's,
    /// into the measure's slot (nil for a measure no point reads).
    private struct Field {
        let series: Int?
        let addsToSite: Bool
        let slot: Int?
    }

    /// A family detail's slot.
    private enum Detail {
        case withheld(String)
        case started(String)
    }

    /// One step of one series: a measure's sum per slot, nil where no field of the step named it.
    private struct Step {
        var values: [Int64?] = []
        var touched = false

        mutating func add(_ value: Int64, at slot: Int?) {
            self.touched = true
            guard let slot else { return }
            if slot >= self.values.count { self.values += Array(repeating: nil, count: slot + 1 - self.values.count) }
            self.values[slot] = (self.values[slot] ?? 0) + value
        }

        subscript(slot: Int) -> Int64 { slot < self.values.count ? self.values[slot] ?? 0 : 0 }
    }

    let range: HistoryRange
    /// Minutes that held data.
    private(set) var storedMinutes = 0
    /// Series by name, the site's first; their points so far, and the current step's sums.
    private var seriesNames = [CapacityHistory.site]
    private var seriesSlots = [CapacityHistory.site: 0]
    private var points: [[CapacityHistory.Point]] = [[]]
    private var current = [Step()]
    /// The step `current` sums; the steps before it are points.
    private var step = 0
    private var fields: [FieldName: Field] = [:]
    private var details: [Detail] = []
    private var detailSlots: [String: Int] = [:]

    init(range: HistoryRange) {
        self.range = range
    }

    /// Adds one block's `HGETALL` reply, its minutes summed (see `fold` in capacity.lua), as `add(minute:reply:)`
    /// adds a minute: the block lies in one step. Its field `#` says how many of its minutes held data.
    mutating func add(block firstMinute: Int64, reply: [RedisValue]) {
        let minutes = stride(from: 0, to: reply.count - 1, by: 2).first { reply[$0] == .bulk(Array("#".utf8)) }
            .flatMap { Self.integer(reply[$0 + 1]) }
        self.add(minute: firstMinute, reply: reply, minutes: Int(minutes ?? 0))
    }

    /// Adds one minute's `HGETALL` reply; minutes come in ascending order, each at most once. An empty reply is a
    /// minute without data.
    mutating func add(minute: Int64, reply: [RedisValue], minutes: Int = 1) {
        guard !reply.isEmpty else { return }
        self.storedMinutes += minutes
        guard minute >= self.range.firstMinute, minute < self.range.endMinute else { return }
        self.advance(to: Int((minute - self.range.firstMinute) / self.range.stepMinutes))
        for index in stride(from: 0, to: reply.count - 1, by: 2) {
            guard let value = Self.integer(reply[index + 1]) else { continue }
            let field: Field
            switch reply[index] {
            case .bulk(let bytes): field = self.field(FieldName(bytes: bytes))
            case .status(let text): field = self.field(FieldName(bytes: Array(text.utf8)))
            default: continue
            }
            if let series = field.series { self.current[series].add(value, at: field.slot) }
            if field.addsToSite { self.current[0].add(value, at: field.slot) }
        }
    }

    /// Every series with one point per step of the range.
    mutating func series() -> [String: [CapacityHistory.Point]] {
        self.advance(to: self.range.points)
        return Dictionary(uniqueKeysWithValues: zip(self.seriesNames, self.points))
    }

    /// Turns the steps before `step` into points.
    private mutating func advance(to step: Int) {
        while self.step < step {
            let at = (self.range.firstMinute + Int64(self.step) * self.range.stepMinutes) * 60_000
            for series in self.points.indices {
                self.points[series].append(self.current[series].touched ? self.point(at: at, self.current[series]) : CapacityHistory.Point(at: at))
                self.current[series] = Step()
            }
            self.step += 1
        }
    }

    private mutating func field(_ name: FieldName) -> Field {
        if let field = self.fields[name] { return field }
        let text = String(decoding: name.bytes, as: UTF8.self)
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        let field: Field
        if parts.count == 2 {
            let (queue, measure) = (parts[0], parts[1])
            // Gauges are sampled for the site itself; everything else adds up from its queues.
            let isGauge = HistoryMeasure(rawValue: measure)?.isGauge ?? false
            field = Field(
                series: queue == CapacityHistory.unnamedQueue ? nil : self.series(queue),
                addsToSite: queue != CapacityHistory.site && !isGauge,
                slot: self.slot(measure)
            )
        } else {
            field = Field(series: nil, addsToSite: false, slot: nil)
        }
        self.fields[name] = field
        return field
    }

    /// The series' index; a series first met in a later step has empty points for the steps before.
    private mutating func series(_ queue: String) -> Int {
        if let index = self.seriesSlots[queue] { return index }
        let firstMinute = self.range.firstMinute
        let stepMinutes = self.range.stepMinutes
        self.seriesSlots[queue] = self.seriesNames.count
        self.seriesNames.append(queue)
        self.points.append((0..<self.step).map { CapacityHistory.Point(at: (firstMinute + Int64($0) * stepMinutes) * 60_000) })
        self.current.append(Step())
        return self.seriesNames.count - 1
    }

    private mutating func slot(_ measure: String) -> Int? {
        if let slot = Self.scalarSlots[measure] { return slot }
        if let slot = self.detailSlots[measure] { return slot }
        let detail: Detail
        if let reason = DecisionCount.withheldBy.detail(of: measure) {
            detail = .withheld(reason)
        } else if let source = DecisionCount.startedBy.detail(of: measure) {
            detail = .started(source)
        } else {
            return nil
        }
        let slot = Self.scalars.count + self.details.count
        self.details.append(detail)
        self.detailSlots[measure] = slot
        return slot
    }

    private func point(at: Int64, _ sums: Step) -> CapacityHistory.Point {
        var point = CapacityHistory.Point(at: at)
        func sum(_ name: String) -> Int64 { sums[Self.scalarSlots[name] ?? 0] }
        func sum(_ measure: HistoryMeasure) -> Int64 { sum(measure.rawValue) }
        let samples = Double(sum(.samples))
        func mean(_ measure: HistoryMeasure) -> Double? { samples > 0 ? Double(sum(measure)) / samples : nil }
        point.agents = mean(.agents)
        point.slots = mean(.slots)
        point.chatting = mean(.chats)
        point.held = mean(.held)
        point.free = mean(.free)
        point.waiting = mean(.waiting)
        func count(_ decision: DecisionCount) -> Int { Int(sum(decision.rawValue)) }
        point.issued = count(.issued)
        point.accepted = count(.accepted)
        point.declined = count(.declined)
        point.expired = count(.expired)
        point.ended = count(.ended)
        point.orphaned = count(.orphaned)
        point.abandoned = count(.abandoned)
        point.refused = count(.refused)
        for (index, detail) in self.details.enumerated() {
            let slot = Self.scalars.count + index
            guard slot < sums.values.count, let value = sums.values[slot] else { continue }
            switch detail {
            case .withheld(let reason):
                point.withheldBy[reason] = Int(value)
                point.withheld += Int(value)
            case .started(let source):
                point.started[source] = Int(value)
            }
        }
        point.firstResponses = Int(sum(.ttfrN))
        if point.firstResponses > 0 { point.timeToFirstResponseSeconds = Double(sum(.ttfrMs)) / 1_000 / Double(point.firstResponses) }
        point.waits = Int(sum(.waitN))
        if point.waits > 0 { point.waitSeconds = Double(sum(.waitMs)) / 1_000 / Double(point.waits) }
        return point
    }

    /// A value as `RedisValue.int` reads it (a decimal number, optionally signed), without making a string of it.
    static func integer(_ value: RedisValue) -> Int64? {
        switch value {
        case .integer(let value): return value
        case .status(let text): return Int(text).map(Int64.init)
        case .bulk(let bytes): return decimal(bytes).map(Int64.init)
        default: return nil
        }
    }

    /// What `Int(String)` parses: `[+-]?[0-9]+`, nil past Int's range.
    static func decimal(_ bytes: [UInt8]) -> Int? {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var result = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            // Summed negative, so that Int.min parses too.
            let (times, overflow) = result.multipliedReportingOverflow(by: 10)
            let (next, under) = times.subtractingReportingOverflow(digit)
            guard !overflow, !under else { return nil }
            result = next
        }
        if negative { return result }
        let (positive, overflow) = (0).subtractingReportingOverflow(result)
        return overflow ? nil : positive
    }
}

/// A field name as Redis sent it, hashed as one run of bytes.
private struct FieldName: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
