internal import NIOCore

/// The life of one Redis connection: commands go out in order, replies come back in the same order.
///
/// Any failure that can leave a reply unmatched (a timeout, a malformed stream, an unexpected reply) closes the
/// connection and fails every pending command, because from then on no reply can be trusted to be the right one.
/// Generic over the waiter so that every transition is testable without a channel.
struct RedisConnectionStateMachine<Waiter> {
    struct Pending {
        let waiter: Waiter
        let deadline: NIODeadline
    }

    enum State {
        case active(CircularBuffer<Pending>)
        case closed(RedisClientError)
    }

    enum SendAction {
        case write
        case fail(Waiter, RedisClientError)
    }

    enum ReplyAction {
        case succeed(Waiter)
        case failAllAndClose([Waiter], RedisClientError)
    }

    enum TimerAction {
        case none
        case arm(NIODeadline)
        case failAllAndClose([Waiter], RedisClientError)
    }

    private var state: State = .active(CircularBuffer(initialCapacity: 16))

    /// A command is about to be written; its reply will be the next unmatched one.
    mutating func send(_ waiter: Waiter, deadline: NIODeadline) -> SendAction {
        guard case .closed(let error) = self.state else {
            self.mutatePending { $0.append(Pending(waiter: waiter, deadline: deadline)) }
            return .write
        }
        return .fail(waiter, error)
    }

    /// A complete reply arrived; it belongs to the oldest pending command.
    mutating func received() -> ReplyAction {
        switch self.state {
        case .active(let pending) where pending.isEmpty:
            return self.close(.protocolError("a reply arrived with no command waiting for it"))
        case .active:
            return .succeed(self.mutatePending { $0.removeFirst().waiter }!)
        case .closed(let error):
            return .failAllAndClose([], error)
        }
    }

    /// The byte stream could not be parsed.
    mutating func decodingFailed(_ error: RedisClientError) -> [Waiter] {
        guard case .failAllAndClose(let waiters, _) = self.close(error) else { return [] }
        return waiters
    }

    /// The timer fired at `now`: either the oldest command is overdue, or the timer must be set for it.
    mutating func timerFired(now: NIODeadline) -> TimerAction {
        guard case .active(let pending) = self.state, let oldest = pending.first else { return .none }
        if oldest.deadline <= now {
            guard case .failAllAndClose(let waiters, let error) = self.close(.timeout) else { return .none }
            return .failAllAndClose(waiters, error)
        }
        return .arm(oldest.deadline)
    }

    /// The channel went away; everything still pending fails.
    mutating func closed(_ error: RedisClientError = .connectionClosed) -> [Waiter] {
        guard case .failAllAndClose(let waiters, _) = self.close(error) else { return [] }
        return waiters
    }

    /// Changes the pending buffer in place: the state lets go of it first, so the buffer is uniquely referenced
    /// and not copied (a copy per reply made long pipelines quadratic).
    @discardableResult
    private mutating func mutatePending<Result>(_ body: (inout CircularBuffer<Pending>) -> Result) -> Result? {
        guard case .active(var pending) = self.state else { return nil }
        self.state = .closed(.connectionClosed)
        let result = body(&pending)
        self.state = .active(pending)
        return result
    }

    private mutating func close(_ error: RedisClientError) -> ReplyAction {
        switch self.state {
        case .active(let pending):
            self.state = .closed(error)
            return .failAllAndClose(pending.map(\.waiter), error)
        case .closed:
            return .failAllAndClose([], error)
        }
    }
}
