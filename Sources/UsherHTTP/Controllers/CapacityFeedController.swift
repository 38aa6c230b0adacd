internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import ServiceLifecycle
internal import Synchronization
internal import UsherCore

/// The capacity view as a live feed (Server-Sent Events) and the per-minute history (JSON or CSV), for ops.
struct CapacityFeedController {
    let broker: Broker
    let retry: RetryAdvice
    let configuration: ObservationConfiguration
    let openStreams: StreamCounter
    let feeds: CapacityFeeds

    func addRoutes(to group: RouterGroup<SiteRequestContext>) {
        group.get(":site/capacity/stream", use: self.stream)
        group.get(":site/capacity/history", use: self.history)
    }

    /// Sends the view at once, then whenever it changes (checked every `streamIntervalMilliseconds`, so at most
    /// that often), and a `: heartbeat` comment after `streamHeartbeatSeconds` of quiet. The view is read from
    /// Redis by the site's one reader on this instance (`CapacityFeeds`), so changes made through any instance arrive,
    /// and the first view is the site's latest reading, at most an interval old. Ends when the client leaves, the
    /// token stops being accepted (an `error` event; checked every `streamRecheckSeconds`), the stream's time is up,
    /// or the server shuts down.
    @Sendable func stream(_ request: Request, context: SiteRequestContext) async throws -> Response {
        // Refusals (bad token, no site) are ordinary JSON errors, before the stream starts: the same prelude, and the
        // same roles, as the capacity read's own, at a fraction of its cost.
        _ = try await self.broker.site(context.site, caller: context.caller)
        guard self.openStreams.open(limit: self.configuration.maxStreams) else {
            throw APIError(
                status: .tooManyRequests, code: "too_many_streams",
                message: "this instance has \(self.configuration.maxStreams) capacity streams open; try again later",
                retryAfterSeconds: self.retry.unavailableSeconds
            )
        }
        let counter = self.openStreams
        guard let subscription = self.feeds.subscribe(site: context.site) else {
            counter.close()
            throw CoreError.unavailable("the server is shutting down")
        }
        let first: String
        switch await subscription.readings.next() {
        case .event(let event):
            first = event
        case .refused(let error):
            self.feeds.unsubscribe(subscription)
            counter.close()
            throw error
        case .unavailable, nil:
            self.feeds.unsubscribe(subscription)
            counter.close()
            throw CoreError.unavailable("cannot read the capacity of \(context.site)")
        }
        let feed = Feed(broker: self.broker, retry: self.retry, configuration: self.configuration, site: context.site, caller: context.caller)
        let feeds = self.feeds
        let body = ResponseBody { writer in
            defer {
                feeds.unsubscribe(subscription)
                counter.close()
            }
            try await feed.run(first: first, readings: subscription.readings, writer: &writer)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body
        )
    }

    /// One open stream.
    struct Feed: Sendable {
        let broker: Broker
        let retry: RetryAdvice
        let configuration: ObservationConfiguration
        let site: String
        let caller: Caller

        /// Writes each reading of the site that differs from the last one written, one reading per interval.
        func run(first: String, readings: ReadingMailbox, writer: inout any ResponseBodyWriter) async throws {
            var last = first
            try await writer.write(ByteBuffer(string: last))
            let started = ContinuousClock.now
            var quietSince = started
            var checkedAt = started
            while !Task.isShuttingDownGracefully, !Task.isCancelled,
                ContinuousClock.now - started < .seconds(self.configuration.streamMaxSeconds)
            {
                // nil: the readers stopped (the server is shutting down).
                guard let reading = await readings.next() else { break }
                var refusal: CoreError?
                if case .refused(let error) = reading { refusal = error }
                // The reader reads as the root admin: the caller's own right to read is checked here, on its own
                // schedule, so a revoked token's stream ends within `streamRecheckSeconds` (and the interval).
                if refusal == nil, ContinuousClock.now - checkedAt >= .seconds(self.configuration.streamRecheckSeconds) {
                    do {
                        _ = try await self.broker.site(self.site, caller: self.caller)
                        checkedAt = .now
                    } catch .unavailable {
                        // Redis is away for now: keep the client (heartbeats go on), check again at the next reading.
                    } catch {
                        refusal = error
                    }
                }
                if let refusal {
                    let body = APIError(refusal, caller: self.caller, retry: self.retry).body
                    try await writer.write(ByteBuffer(string: try CapacityFeedController.event("error", body)))
                    break
                }
                // Unavailable: Redis is away for now; keep the client (heartbeats go on), say nothing new.
                let next = if case .event(let event) = reading { event } else { last }
                if next != last {
                    try await writer.write(ByteBuffer(string: next))
                    last = next
                    quietSince = .now
                } else if ContinuousClock.now - quietSince >= .seconds(self.configuration.streamHeartbeatSeconds) {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    quietSince = .now
                }
            }
            try await writer.finish(nil)
        }
    }

    static func event(_ name: String, _ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        return "event: \(name)\ndata: \(json)\n\n"
    }

    /// `?from=&to=` (RFC 3339 or milliseconds since 1970; default the last hour by this process's clock), `step`
    /// seconds (a multiple of 60; default 60), `format=csv` (or `Accept: text/csv`) for CSV. The read itself stops at
    /// now by Redis's clock and at the retention, whatever the period.
    @Sendable func history(_ request: Request, context: SiteRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        // A period ends after 1970 begins: an earlier end reads its first millisecond.
        let to = try Self.instant(query.get("to"), field: "to").map { max($0, HistoryRange.instants.lowerBound + 1) } ?? now
        // Only instants in HistoryRange.instants come back, so the hour before cannot overflow.
        let from = try Self.instant(query.get("from"), field: "from") ?? max(HistoryRange.instants.lowerBound, to - 3_600_000)
        guard let step = Int(query.get("step") ?? "60") else {
            throw APIError.invalid(field: "step", message: "step is a whole number of seconds")
        }
        let format = query.get("format")
        guard format == nil || format == "csv" || format == "json" else {
            throw APIError.invalid(field: "format", message: "format is csv or json")
        }
        let range = try HistoryRange(from: from, to: to, stepSeconds: step, maxPoints: self.configuration.historyMaxPoints)
        let history = try await self.broker.history(site: context.site, caller: context.caller, range: range)
        let csv = format == "csv" || (format == nil && (request.headers[.accept]?.contains("text/csv") ?? false))
        if csv {
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(context.site)-history.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: HistoryCSV.render(history)))
            )
        }
        return try HistoryResponse(history).response(from: request, context: context)
    }

    /// An instant as RFC 3339 or as up to 15 digits of milliseconds since 1970. Any such instant is valid and is
    /// brought within `HistoryRange.instants` (before 1970 reads from 1970, past 9999 up to its end), so the contract's
    /// `date-time` holds whole; anything else (a longer or negative number, a longer year) is refused.
    static func instant(_ text: String?, field: String) throws(APIError) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        let bounds = HistoryRange.instants
        let malformed = APIError.invalid(
            field: field, message: "\(field) must be an RFC 3339 time (2026-11-23T09:00:00Z) or up to 15 digits of milliseconds since 1970"
        )
        // Longer than any instant is written: not worth parsing.
        guard text.utf8.count <= Self.maxInstantLength else { throw malformed }
        let digits = text.utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        if digits == text.utf8.count {
            guard digits <= 15, let milliseconds = Int64(text) else { throw malformed }
            return min(milliseconds, bounds.upperBound)
        }
        guard let milliseconds = RFC3339.milliseconds(text[...].utf8) else { throw malformed }
        return min(max(milliseconds, bounds.lowerBound), bounds.upperBound)
    }

    /// `2026-11-23T09:00:00.000000000+14:00` and a little more.
    static let maxInstantLength = 64
}

/// Capacity streams open on this instance, bounded.
final class StreamCounter: Sendable {
    private let count = Atomic<Int>(0)

    init() {}

    func open(limit: Int) -> Bool {
        guard self.count.add(1, ordering: .relaxed).newValue <= limit else {
            self.count.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func close() { self.count.subtract(1, ordering: .relaxed) }
}
