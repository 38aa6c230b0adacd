/// RFC 3339's `date-time` (section 5.6), read by hand: Foundation's parser refuses offsets beyond ±18 hours and
/// instants it cannot place in a calendar it knows, both of which the grammar allows (`0683-12-07T13:38:48+19:59`).
/// `T` and `Z` may be lower case; a fraction has any number of digits (read to the millisecond); a leap second (`:60`)
/// counts as the second after `:59`.
enum RFC3339 {
    /// Milliseconds since 1970 (negative before it), or nil when the text is not a `date-time`.
    static func milliseconds(_ text: Substring.UTF8View) -> Int64? {
        var reader = Reader(bytes: Array(text))
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
            let day = reader.number(2), reader.skip("T") || reader.skip("t"),
            let hour = reader.number(2), reader.skip(":"), let minute = reader.number(2), reader.skip(":"),
            let second = reader.number(2)
        else { return nil }
        var fraction: Int64 = 0
        if reader.skip(".") {
            var digits = 0
            while let digit = reader.digit() {
                if digits < 3 { fraction = fraction * 10 + digit }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { fraction *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if !(reader.skip("Z") || reader.skip("z")) {
            let sign: Int64
            if reader.skip("+") {
                sign = 1
            } else if reader.skip("-") {
                sign = -1
            } else {
                return nil
            }
            guard let offsetHour = reader.number(2), reader.skip(":"), let offsetMinute = reader.number(2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        }
        guard reader.atEnd, (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let days = Self.daysSince1970(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second
        return seconds * 1_000 + fraction
    }

    private static func days(inMonth month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the era arithmetic of "days from civil").
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { self.index == self.bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: character) else { return false }
            self.index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard self.index < self.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index])
            else { return nil }
            self.index += 1
            return Int64(self.bytes[self.index - 1] - UInt8(ascii: "0"))
        }

        /// Exactly `count` digits.
        mutating func number(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let digit = self.digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}
