/// Redis Cluster's hash slots: every key lives in one of 16,384, by the CRC16 of its hash tag (the part between its
/// first `{` and the next `}`, when that part is not empty) or of the whole key. Usher's keys all carry `{site}`, so
/// a site's keys share a slot and one script can touch them all.
public enum HashSlot {
    public static let count = 16_384

    /// The slot of `key`.
    public static func of(_ key: String) -> Int {
        var key = key
        return key.withUTF8 { Self.of(bytes: $0) }
    }

    static func of(bytes key: UnsafeBufferPointer<UInt8>) -> Int {
        var tagged = key[...]
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            tagged = key[(open + 1)..<close]
        }
        var crc: UInt16 = 0
        for byte in tagged {
            crc = (crc << 8) ^ Self.table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return Int(crc) & (Self.count - 1)
    }

    /// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as Redis Cluster computes it, a byte at a time.
    private static let table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    /// The slot a command must go to: that of its keys, which must share one (a command whose keys span slots is
    /// refused before it is sent, `crossSlot`); nil for a command without keys, which any primary answers.
    public static func route(_ command: [String]) throws(RedisError) -> Int? {
        var slot: Int?
        for key in Self.keys(of: command) {
            let next = Self.of(key)
            if let slot, slot != next { throw .crossSlot(command.first ?? "") }
            slot = next
        }
        return slot
    }

    /// True for a script's call (`EVAL`, `EVALSHA`, `FCALL` and their read-only forms).
    static func isScript(_ command: [String]) -> Bool {
        guard let name = command.first?.uppercased() else { return false }
        return Self.scriptCommands.contains(name)
    }

    private static let scriptCommands: Set<String> = ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]

    /// Where a command's keys are, for the commands Usher and its tools send: a script's declared keys; every
    /// argument of the multi-key commands; `MEMORY USAGE`'s key; none for server and connection commands; otherwise
    /// the first argument.
    static func keys(of command: [String]) -> ArraySlice<String> {
        guard let name = command.first?.uppercased(), command.count > 1 else { return [] }
        if Self.scriptCommands.contains(name) {
            guard command.count > 2, let count = Int(command[2]), count > 0, command.count >= 3 + count else { return [] }
            return command[3..<(3 + count)]
        }
        switch name {
        case "DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "WATCH":
            return command[1...]
        case "MEMORY":
            return command.count > 2 && command[1].uppercased() == "USAGE" ? command[2...2] : []
        case "PING", "TIME", "INFO", "SCRIPT", "FUNCTION", "CLIENT", "CLUSTER", "SELECT", "AUTH", "HELLO", "ASKING",
            "READONLY", "CONFIG", "DBSIZE", "FLUSHALL", "FLUSHDB", "SLOWLOG", "COMMAND", "KEYS", "SCAN", "ECHO", "WAIT",
            "LATENCY", "DEBUG", "SHUTDOWN":
            return []
        default:
            return command[1...1]
        }
    }
}

extension RedisError {
    static func crossSlot(_ command: String) -> RedisError {
        RedisError(.crossSlot, message: "\(command)'s keys lie in more than one cluster slot; it was not sent")
    }
}
