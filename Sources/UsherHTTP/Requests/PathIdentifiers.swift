internal import Foundation
internal import Hummingbird

extension Parameters {
    /// A path parameter, percent-decoded: `%61` names the same id as `a` (RFC 3986), so ids are checked as their
    /// callers meant them. Text that does not decode (a stray `%`, bytes that are not UTF-8) goes on as it is, for
    /// the id's own check to refuse naming its field.
    func id(_ name: String) throws -> String {
        let raw = try self.require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
