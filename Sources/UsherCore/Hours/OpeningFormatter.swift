internal import Foundation

/// Writes the next opening for a visitor: weekday and time of day in the site's time zone, in the visitor's locale,
/// with the zone's abbreviation, as in "Mon 09:00 CET" or "Mo., 09:00 MEZ".
enum OpeningFormatter {
    static func format(_ milliseconds: Int64, timeZone identifier: String?, locale: String?) -> String {
        let formatter = DateFormatter()
        let locale = Locale(identifier: locale ?? "en")
        formatter.locale = locale
        formatter.timeZone = identifier.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = DateFormatter.dateFormat(fromTemplate: "EEEHHmmz", options: 0, locale: locale) ?? "EEE HH:mm z"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
    }
}
