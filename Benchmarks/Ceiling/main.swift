// The ceiling of issue 13: the least a Hummingbird 2 app can do for an invitation poll. It decodes the same JSON
// body as Usher's poll and answers a fixed withhold, with no auth, no Redis, no logging and no metrics, so
// scripts/bench-load can put Usher's throughput beside the framework's own on the same machine and wrk settings.
// Usage: Ceiling <port>; it listens on 127.0.0.1 only.
import Hummingbird
import Logging

struct PollBody: Decodable {
    let visitor: String
    let queue: String?
    let locale: String?
}

struct Withhold: ResponseEncodable {
    let decision: String
    let reason: String
    let retryAfterSeconds: Int
}

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : 8080
let router = Router()
router.post("v1/sites/:site/invitations") { request, context -> Withhold in
    let body = try await request.decode(as: PollBody.self, context: context)
    precondition(!body.visitor.isEmpty)
    return Withhold(decision: "withhold", reason: "no_capacity", retryAfterSeconds: 5)
}
var logger = Logger(label: "ceiling")
logger.logLevel = .warning
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
try await app.runService()
