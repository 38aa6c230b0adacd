internal import Foundation
internal import Metrics

/// What the core measures as it decides, through swift-metrics (the process chooses the backend). These are the
/// events this instance saw; the state of a site (slots, lines, counters) is read from Redis instead, see
/// `Broker.sample(site:)`. Labels stay bounded: a decision kind, a site, a queue the site knows; never a visitor or
/// a chat.
public enum DecisionMetrics {
    public static let decisionDuration = "usher_decision_duration_seconds"
    public static let timeToFirstResponse = "usher_time_to_first_response_seconds"
    public static let waitInLine = "usher_wait_in_line_seconds"
    public static let estimateError = "usher_wait_estimate_error_seconds"

    /// The decisions whose latency is recorded: the scripts on a website's or an agent's path.
    static let timed: [Script] = [.presence, .invitation, .accept, .decline, .chatRequest, .chatView, .chatEnd, .firstResponse]

    /// The decision timers, made once per broker: making a handle validates its name, labels and help text in the
    /// backend, which costs more than the recording itself. A broker made before the process chose a metrics
    /// backend records nothing.
    struct Timers: Sendable {
        private let timers: [Script: Timer] = Dictionary(
            uniqueKeysWithValues: DecisionMetrics.timed.map {
                ($0, Timer(label: DecisionMetrics.decisionDuration, dimensions: [("decision", "\($0)")]))
            }
        )

        func record(_ script: Script, since start: ContinuousClock.Instant) {
            self.timers[script]?.record(duration: ContinuousClock.now - start)
        }
    }

    /// A first response just recorded: the visitor's time to it, its time in line and, for a chat that was given an
    /// estimate, how far that estimate missed.
    static func recordFirstResponse(_ reply: FirstResponseReply, site: String) {
        guard let queue = reply.queue, let ttfr = reply.ttfrMs, let wait = reply.waitMs else { return }
        let dimensions = [("site", site), ("queue", queue)]
        Recorder(label: Self.timeToFirstResponse, dimensions: dimensions).record(Double(ttfr) / 1_000)
        Recorder(label: Self.waitInLine, dimensions: dimensions).record(Double(wait) / 1_000)
        if let sample = reply.sample, let error = EstimateSample(sample)?.absoluteErrorSeconds {
            Recorder(label: Self.estimateError, dimensions: dimensions).record(error)
        }
    }
}
