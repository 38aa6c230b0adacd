internal import CHiredis
internal import NIOCore

/// Encodes commands with hiredis's `redisFormatCommandArgv`, so the wire format is the one hiredis has long shipped.
enum RESPEncoder {
    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) {
        // All arguments go into one contiguous array so that argv can point into it without a copy per argument.
        var storage: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            let utf8 = argument.utf8
            storage.append(contentsOf: utf8)
            lengths.append(utf8.count)
        }
        storage.append(0)  // keeps baseAddress non-nil when every argument is empty
        storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(lengths.count)
            var offset = 0
            for length in lengths {
                argv.append(base + offset)
                offset += length
            }
            var formatted: UnsafeMutablePointer<CChar>?
            let count = redisFormatCommandArgv(&formatted, Int32(lengths.count), &argv, lengths)
            // hiredis fails only when malloc does; there is no sane way on from there.
            guard count >= 0, let formatted else { fatalError("hiredis could not allocate a command buffer") }
            defer { redisFreeCommand(formatted) }
            buffer.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(count)))
        }
    }
}
