internal import CHiredis
internal import NIOCore

/// Parses replies with hiredis's reply reader. One decoder per connection, used on its event loop only.
///
/// The reader's error state is sticky: after `protocolError` the decoder is unusable and its connection must close.
final class RESPDecoder {
    /// hiredis reserves a pointer for every element an array header announces before any arrives, and walks them all
    /// when a partial reply is freed: one lying `*2147483647` reserved 16 GiB and, when its connection was reset,
    /// held the event loop for 5 s. No reply Usher asks for comes near a million elements.
    static let maxArrayElements: Int32 = 1 << 20

    /// hiredis's own reply functions, read off a throwaway reader (the library does not export them).
    private static let hiredisFunctions: redisReplyObjectFunctions = {
        guard let probe = redisReaderCreate() else { fatalError("hiredis could not allocate a reply reader") }
        defer { redisReaderFree(probe) }
        return probe.pointee.fn.pointee
    }()

    /// hiredis's functions, but an array over `maxArrayElements` is refused before it is allocated, which fails the
    /// stream. Allocated once and never written again.
    private nonisolated(unsafe) static let boundedFunctions: UnsafeMutablePointer<redisReplyObjectFunctions> = {
        let functions = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
        functions.initialize(to: RESPDecoder.hiredisFunctions)
        functions.pointee.createArray = { task, elements in
            elements > RESPDecoder.maxArrayElements ? nil : RESPDecoder.hiredisFunctions.createArray?(task, elements)
        }
        return functions
    }()

    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreateWithFunctions(Self.boundedFunctions) else {
            fatalError("hiredis could not allocate a reply reader")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(self.reader)
    }

    func feed(_ buffer: ByteBuffer) throws(RedisError) {
        let status = buffer.withUnsafeReadableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return REDIS_OK }
            return redisReaderFeed(self.reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == REDIS_OK else { throw .protocolError(self.errorText) }
    }

    /// The next complete reply, or nil when more bytes are needed.
    func next() throws(RedisError) -> RedisValue? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(self.reader, &reply) == REDIS_OK else { throw .protocolError(self.errorText) }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.value(of: reply.assumingMemoryBound(to: redisReply.self))
    }

    private var errorText: String {
        // A refused array reaches hiredis as an allocation that failed.
        guard self.reader.pointee.err != REDIS_ERR_OOM else {
            return "an array header announced more than \(Self.maxArrayElements) elements, or hiredis ran out of memory"
        }
        return withUnsafeBytes(of: self.reader.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_STRING:
            return .bulk(Array(UnsafeRawBufferPointer(start: r.str, count: r.len)))
        case REDIS_REPLY_STATUS:
            return .status(Self.text(r))
        case REDIS_REPLY_ERROR:
            return .error(RedisError(reply: Self.text(r)))
        case REDIS_REPLY_ARRAY:
            guard let elements = r.element else { return .array([]) }
            return .array(
                (0..<r.elements).map { index in
                    elements[index].map(Self.value(of:)) ?? .null
                })
        default:
            return .null
        }
    }

    private static func text(_ reply: redisReply) -> String {
        String(decoding: UnsafeRawBufferPointer(start: reply.str, count: reply.len), as: UTF8.self)
    }
}
