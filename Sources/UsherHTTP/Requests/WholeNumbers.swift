/// A body field the decoder could not read, named by the body type that asked for it: Foundation's error for a
/// number an Int cannot hold (1e300, 1.5, 2^63) may come with an empty coding path, which names nothing.
struct BodyFieldError: Error {
    let field: String
    let message: String
}

extension KeyedDecodingContainer {
    /// An integer field; nil when absent or null. Anything else that is not a whole number an Int holds (too large,
    /// fractional, a string, an array) is refused naming the field, with its path (`reserve.support`).
    func wholeNumber(forKey key: Key) throws -> Int? {
        guard self.contains(key), try !self.decodeNil(forKey: key) else { return nil }
        do {
            return try self.decode(Int.self, forKey: key)
        } catch {
            let field = (self.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw BodyFieldError(field: field, message: "\(field) must be a whole number within its range")
        }
    }

    /// A required integer field, refused naming the field when absent, null or not a whole number an Int holds.
    func requiredWholeNumber(forKey key: Key) throws -> Int {
        guard let value = try self.wholeNumber(forKey: key) else {
            let field = (self.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw BodyFieldError(field: field, message: "\(field) is required")
        }
        return value
    }
}
