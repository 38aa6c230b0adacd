internal import Foundation

/// Times in responses: RFC 3339 with milliseconds, from Redis's millisecond clock.
enum Timestamp {
    static func iso(milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
