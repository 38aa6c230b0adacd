/// The request read deadline of one connection as a state machine: the clock starts with the first bytes of a
/// request and stops at its end, so a client that drips its head or its body cannot hold a connection (and what it
/// buffered) for longer than the deadline. Nothing else is timed: the wait for a request's first bytes is the idle
/// timeout's, and writing responses (a capacity stream, a slow reader) never is. `RequestReadDeadlineHandler` feeds
/// it the connection's events and runs the clock it asks for.
struct RequestReadDeadline {
    enum State: Equatable {
        /// No request is arriving: before the first, or after a request's end.
        case waiting
        /// A request is arriving; `headRead` once its head is whole.
        case arriving(headRead: Bool)
        /// A request's end was read during the socket read not yet completed: that read starts nothing new.
        case ended
        /// Nothing more is timed: the client closed its side, or the deadline passed.
        case done
    }

    enum Clock: Equatable {
        case start
        case stop
        case keep
    }

    /// What to do when the deadline passes.
    enum Expiry: Equatable {
        /// Answer 408, then close: no response to this request or an earlier one has begun or is being written.
        case answer
        /// Close without a word, as a response is under way or owed to an earlier request.
        case close
        case nothing
    }

    private(set) var state = State.waiting
    /// Request heads read minus final response heads written. Hummingbird's 400 for a head that does not parse
    /// answers a head never read, and takes this below zero on a connection that is closing.
    private var unanswered = 0
    /// A final response head is written and its end is not.
    private var responding = false

    mutating func readHead() -> Clock {
        self.unanswered += 1
        switch self.state {
        case .waiting, .ended:
            self.state = .arriving(headRead: true)
            return .start
        case .arriving:
            self.state = .arriving(headRead: true)
            return .keep
        case .done:
            return .keep
        }
    }

    mutating func readEnd() -> Clock {
        guard case .arriving = self.state else { return .keep }
        self.state = .ended
        return .stop
    }

    /// A socket read is done: bytes that have decoded to no request part yet are the start of a request's head.
    mutating func readCompleted() -> Clock {
        switch self.state {
        case .waiting:
            self.state = .arriving(headRead: false)
            return .start
        case .ended:
            self.state = .waiting
            return .keep
        case .arriving, .done:
            return .keep
        }
    }

    /// The client closed its side (NIO fires a read completion for that too, which started the clock).
    mutating func inputClosed() -> Clock {
        let arriving = if case .arriving = self.state { true } else { false }
        self.state = .done
        return arriving ? .stop : .keep
    }

    /// A response head was written; informational (1xx) heads precede the final one and answer nothing.
    mutating func wroteHead(informational: Bool) {
        guard !informational else { return }
        self.unanswered -= 1
        self.responding = true
    }

    mutating func wroteEnd() {
        self.responding = false
    }

    mutating func passed() -> Expiry {
        guard case .arriving(let headRead) = self.state else { return .nothing }
        self.state = .done
        return !self.responding && self.unanswered == (headRead ? 1 : 0) ? .answer : .close
    }
}
