internal import Hummingbird
internal import UsherCore

/// The history as JSON: times in RFC 3339, one series per queue and `*` for the site.
struct HistoryResponse: ResponseEncodable {
    struct Storage: Encodable {
        let retentionSeconds: Int
        /// Minutes of the period that hold data, and the Redis memory they take.
        let minutes: Int
        let bytes: Int64
    }

    struct Point: Encodable {
        let at: String
        let values: CapacityHistory.Point

        func encode(to encoder: any Encoder) throws {
            try self.values.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.at, forKey: .at)
        }

        enum CodingKeys: String, CodingKey { case at }
    }

    let from: String
    let to: String
    let stepSeconds: Int64
    let storage: Storage
    let series: [String: [Point]]

    init(_ history: CapacityHistory) {
        self.from = Timestamp.iso(milliseconds: history.range.firstMinute * 60_000)
        self.to = Timestamp.iso(milliseconds: history.range.endMinute * 60_000)
        self.stepSeconds = history.range.stepMinutes * 60
        self.storage = Storage(retentionSeconds: history.retentionSeconds, minutes: history.storedMinutes, bytes: history.bytes)
        self.series = history.series.mapValues { points in
            points.map { Point(at: Timestamp.iso(milliseconds: $0.at), values: $0) }
        }
    }
}

/// The history as CSV: one row per step and queue (`*` the site), the site first.
enum HistoryCSV {
    static let reasons = WithholdReason.counted.map(\.rawValue)
    static let sources = ChatRecord.Source.allCases.map(\.rawValue)

    static func render(_ history: CapacityHistory) -> String {
        var header = ["time", "queue", "agents", "slots", "chatting", "held", "free", "waiting", "issued", "withheld"]
        header += Self.reasons.map { "withheld_\($0)" }
        header += ["accepted", "declined", "expired"]
        header += Self.sources.map { "started_\($0)" }
        header += ["ended", "orphaned", "abandoned", "refused", "first_responses", "time_to_first_response_seconds", "waits", "wait_seconds"]
        var lines = [header.joined(separator: ",")]
        let queues = history.series.keys.sorted { ($0 == CapacityHistory.site ? "" : $0) < ($1 == CapacityHistory.site ? "" : $1) }
        for queue in queues {
            for point in history.series[queue] ?? [] {
                var row = [Timestamp.iso(milliseconds: point.at), queue]
                row += [point.agents, point.slots, point.chatting, point.held, point.free, point.waiting].map(Self.number)
                row += [point.issued, point.withheld].map(String.init)
                row += Self.reasons.map { String(point.withheldBy[$0] ?? 0) }
                row += [point.accepted, point.declined, point.expired].map(String.init)
                row += Self.sources.map { String(point.started[$0] ?? 0) }
                row += [point.ended, point.orphaned, point.abandoned, point.refused, point.firstResponses].map(String.init)
                row += [Self.number(point.timeToFirstResponseSeconds), String(point.waits), Self.number(point.waitSeconds)]
                lines.append(row.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Empty when unknown; otherwise at most three decimals.
    private static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        let rounded = (value * 1_000).rounded() / 1_000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
