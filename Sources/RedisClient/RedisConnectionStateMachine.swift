internal import NIOCore

/// The life of one Redis connection: commands go out in order, replies come back in the same order.
///
/// Any failure that can leave a reply unmatched (a timeout, a malformed stream, an unexpected reply) closes the
/// connection and fails every pending command, because from then on no reply can be trusted to be the right one.
/// Generic over the waiter so that every transition is testable without a channel.
///
/// Noncopyable, and every transition consumes the state and sets the next one: the pending buffer moves from state to
/// state without a copy (a copy per reply made long pipelines quadratic).
struct RedisConnectionStateMachine<Waiter>: ~Copyable {
    struct Pending {
        let waiter: Waiter
        let deadline: NIODeadline
    }

    enum State: ~Copyable {
        case active(CircularBuffer<Pending>)
        case closed(RedisError)
    }

    enum SendAction {
        case write
        case fail(Waiter, RedisError)
    }

    enum ReplyAction {
        case succeed(Waiter)
        case failAllAndClose([Waiter], RedisError)
    }

    enum TimerAction {
        case none
        case arm(NIODeadline)
        case failAllAndClose([Waiter], RedisError)
    }

    private var state: State

    init() {
        self.state = .active(CircularBuffer(initialCapacity: 16))
    }

    private init(_ state: consuming State) {
        self.state = state
    }

    // A consumed state can only be given back whole: each transition sets `self` from one of these.
    private static func active(_ pending: consuming CircularBuffer<Pending>) -> Self {
        Self(.active(pending))
    }

    private static func closed(_ error: RedisError) -> Self {
        Self(.closed(error))
    }

    /// A command is about to be written; its reply will be the next unmatched one.
    mutating func send(_ waiter: Waiter, deadline: NIODeadline) -> SendAction {
        switch consume self.state {
        case .active(var pending):
            pending.append(Pending(waiter: waiter, deadline: deadline))
            self = .active(pending)
            return .write
        case .closed(let error):
            self = .closed(error)
            return .fail(waiter, error)
        }
    }

    /// A complete reply arrived; it belongs to the oldest pending command.
    mutating func received() -> ReplyAction {
        switch consume self.state {
        case .active(var pending):
            guard let oldest = pending.popFirst() else {
                let error = RedisError.protocolError("a reply arrived with no command waiting for it")
                self = .closed(error)
                return .failAllAndClose([], error)
            }
            self = .active(pending)
            return .succeed(oldest.waiter)
        case .closed(let error):
            self = .closed(error)
            return .failAllAndClose([], error)
        }
    }

    /// The byte stream could not be parsed.
    mutating func decodingFailed(_ error: RedisError) -> [Waiter] {
        self.close(error)
    }

    /// The timer fired at `now`: either the oldest command is overdue, or the timer must be set for it.
    mutating func timerFired(now: NIODeadline) -> TimerAction {
        switch consume self.state {
        case .active(let pending):
            guard let oldest = pending.first else {
                self = .active(pending)
                return .none
            }
            guard oldest.deadline <= now else {
                self = .active(pending)
                return .arm(oldest.deadline)
            }
            self = .closed(.timeout)
            return .failAllAndClose(pending.map(\.waiter), .timeout)
        case .closed(let error):
            self = .closed(error)
            return .none
        }
    }

    /// The channel went away; everything still pending fails.
    mutating func closed(_ error: RedisError = .connectionClosed) -> [Waiter] {
        self.close(error)
    }

    /// Closes with `error` and hands back the waiters still pending; a machine already closed keeps its first error.
    private mutating func close(_ error: RedisError) -> [Waiter] {
        switch consume self.state {
        case .active(let pending):
            self = .closed(error)
            return pending.map(\.waiter)
        case .closed(let first):
            self = .closed(first)
            return []
        }
    }
}
