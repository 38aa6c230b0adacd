/// The names the client reports its counts under, given by whoever builds the client so that they sit among the
/// process's own metrics.
public struct RedisMetricNames: Sendable, Hashable {
    /// Commands sent.
    public var commands: String
    /// Commands that got no reply, with the dimension `kind`: `not_connected`, `overloaded`, `timeout`,
    /// `connection_closed`, `protocol`, `shutting_down`, and in a cluster `cross_slot` or `redirects`.
    public var errors: String
    /// Connections made again after one was lost or failed.
    public var reconnects: String

    public init(commands: String, errors: String, reconnects: String) {
        self.commands = commands
        self.errors = errors
        self.reconnects = reconnects
    }

    /// `<prefix>_commands_total`, `<prefix>_errors_total` and `<prefix>_reconnects_total`, as Prometheus names counters.
    public init(prefix: String) {
        self.init(commands: prefix + "_commands_total", errors: prefix + "_errors_total", reconnects: prefix + "_reconnects_total")
    }
}
