internal import NIOCore

/// A JSON document written piece by piece into a buffer, for the few answers too frequent for `JSONEncoder`.
struct JSONText {
    private(set) var buffer = ByteBuffer()

    /// Text that is JSON already.
    mutating func append(_ json: String) {
        self.buffer.writeString(json)
    }

    /// A JSON string: quoted, with quotes, backslashes and control characters escaped as RFC 8259 requires.
    mutating func append(string value: String) {
        self.buffer.writeInteger(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                self.buffer.writeInteger(UInt8(ascii: "\\"))
                self.buffer.writeInteger(byte)
            case 0..<0x20:
                self.buffer.writeString("\\u00")
                self.buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
                self.buffer.writeInteger(Self.hexDigits[Int(byte & 0x0f)])
            default:
                self.buffer.writeInteger(byte)
            }
        }
        self.buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
