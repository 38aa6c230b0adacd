import NIOCore
import Testing

@testable import RedisClient

@Suite("RESP coding through hiredis")
struct RedisValueCodingTests {
    func decodeAll(_ text: [UInt8]) throws -> [RedisValue] {
        let decoder = RESPDecoder()
        try decoder.feed(ByteBuffer(bytes: text))
        var values: [RedisValue] = []
        while let value = try decoder.next() { values.append(value) }
        return values
    }

    @Test("every RESP2 type becomes its Swift value")
    func types() throws {
        let values = try self.decodeAll(Array("+PONG\r\n:-42\r\n$-1\r\n*-1\r\n*0\r\n-WRONGTYPE bad key\r\n".utf8))
        #expect(
            values == [
                .status("PONG"), .integer(-42), .null, .null, .array([]),
                .error(RedisError(reply: "WRONGTYPE bad key")),
            ]
        )
        guard case .error(let error) = values.last else {
            Issue.record("the error reply was not decoded as one")
            return
        }
        #expect(error.code == .server("WRONGTYPE"))
    }

    @Test("bulk strings are binary-safe")
    func binaryBulk() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 36]
        let values = try self.decodeAll(Array("$5\r\n".utf8) + payload + Array("\r\n".utf8))
        #expect(values == [.bulk(payload)])
    }

    @Test("nested arrays keep their shape")
    func nested() throws {
        let values = try self.decodeAll(Array("*2\r\n*2\r\n:1\r\n$1\r\na\r\n$-1\r\n".utf8))
        #expect(values == [.array([.array([.integer(1), .bulk([97])]), .null])])
    }

    @Test("the reader's error is sticky: after garbage nothing more decodes")
    func stickyError() throws {
        let decoder = RESPDecoder()
        try decoder.feed(ByteBuffer(string: "%oops\r\n"))
        let first = #expect(throws: RedisError.self) { try decoder.next() }
        #expect(first?.code == .protocolError)
        let again = #expect(throws: RedisError.self) {
            try decoder.feed(ByteBuffer(string: "+OK\r\n"))
            _ = try decoder.next()
        }
        #expect(again?.code == .protocolError)
    }

    /// Found by scripts/fuzz-resp: hiredis reserved 16 GiB for `*2147483647` and took 5 s to free it at the reset.
    @Test("an array header over a million elements is a protocol error before anything is reserved, at any depth")
    func hugeArrayHeader() throws {
        for text in ["*2147483647\r\n", "*1\r\n*2\r\n*1048577\r\n"] {
            let decoder = RESPDecoder()
            try decoder.feed(ByteBuffer(string: text))
            #expect(
                throws: RedisError.protocolError(
                    "an array header announced more than 1048576 elements, or hiredis ran out of memory")
            ) { try decoder.next() }
        }
        let decoder = RESPDecoder()
        try decoder.feed(ByteBuffer(string: "*1048576\r\n:1\r\n"))
        #expect(try decoder.next() == nil, "an array of the largest size allowed waits for its elements")
    }

    @Test("values read as strings and integers where they hold them")
    func accessors() {
        #expect(RedisValue.bulk(Array("17".utf8)).int == 17)
        #expect(RedisValue.status("OK").string == "OK")
        #expect(RedisValue.integer(3).string == nil)
        #expect(RedisValue.null.isNull)
    }

    @Test("server errors split into code and message")
    func serverErrors() {
        let error = RedisError(reply: "NOSCRIPT No matching script. Please use EVAL.")
        #expect(error.code == .server("NOSCRIPT"))
        #expect(error.message == "No matching script. Please use EVAL.")
        #expect(error.description == "NOSCRIPT No matching script. Please use EVAL.")
        #expect(RedisError(reply: "LOADING").code == .server("LOADING"))
        #expect(RedisError(reply: "LOADING").message.isEmpty)
    }
}

@Suite("configuration and backoff")
struct RedisConfigurationTests {
    @Test("a Redis URL sets host, port, credentials and database")
    func fullURL() throws {
        var configuration = RedisConfiguration(poolSize: 7)
        try configuration.apply(url: "redis://usher:p%40ss@redis.internal:6380/3")
        #expect(configuration.host == "redis.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "usher")
        #expect(configuration.password == "p@ss")
        #expect(configuration.database == 3)
        #expect(configuration.poolSize == 7)
    }

    @Test("a password without a user, and the defaults for port and database")
    func passwordOnly() throws {
        var configuration = RedisConfiguration()
        try configuration.apply(url: "redis://:secret@localhost")
        #expect(configuration.username == nil)
        #expect(configuration.password == "secret")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
    }

    @Test("bad URLs are refused without echoing the password")
    func badURLs() {
        var configuration = RedisConfiguration()
        for url in ["http://localhost:6379", "redis://", "redis://host/notanumber"] {
            let error = #expect(throws: RedisError.self) { try configuration.apply(url: url) }
            #expect(error?.code == .invalidURL)
        }
        do {
            try configuration.apply(url: "redis://user:topsecret@host/x")
            Issue.record("accepted a bad database")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }

    @Test("backoff doubles from the base, stops at the maximum and resets")
    func backoff() {
        var backoff = Backoff(baseMilliseconds: 50, maxMilliseconds: 400)
        var random = SystemRandomNumberGenerator()
        var ceilings: [Int] = []
        for _ in 0..<6 {
            let ceiling = backoff.ceilingMilliseconds
            ceilings.append(ceiling)
            let delay = backoff.nextDelayMilliseconds(using: &random)
            #expect((0...ceiling).contains(delay))
        }
        #expect(ceilings == [50, 100, 200, 400, 400, 400])
        backoff.reset()
        #expect(backoff.ceilingMilliseconds == 50)
    }
}
