import NIOCore
import Testing

@testable import RedisClient

@Suite("connection state machine")
struct RedisConnectionStateMachineTests {
    typealias Machine = RedisConnectionStateMachine<Int>
    let later = NIODeadline.now() + .seconds(60)

    @Test("replies go to commands in the order they were sent")
    func repliesInOrder() {
        var machine = Machine()
        for waiter in 1...3 {
            guard case .write = machine.send(waiter, deadline: self.later) else { Issue.record("send refused"); return }
        }
        for expected in 1...3 {
            guard case .succeed(let waiter) = machine.received() else { Issue.record("no waiter"); return }
            #expect(waiter == expected)
        }
        guard case .failAllAndClose([], let error) = machine.received(), error.code == .protocolError else {
            Issue.record("a fourth reply found a command waiting")
            return
        }
    }

    @Test("a reply with no command waiting closes the connection")
    func unexpectedReply() {
        var machine = Machine()
        guard case .failAllAndClose(let waiters, let error) = machine.received() else {
            Issue.record("accepted a stray reply")
            return
        }
        #expect(waiters.isEmpty)
        #expect(error.code == .protocolError, "wrong error \(error)")
        guard case .fail(7, _) = machine.send(7, deadline: self.later) else { Issue.record("closed machine wrote"); return }
    }

    @Test("an overdue command fails every pending command and closes")
    func timeoutFailsAll() {
        var machine = Machine()
        let soon = NIODeadline.now() + .milliseconds(10)
        _ = machine.send(1, deadline: soon)
        _ = machine.send(2, deadline: self.later)
        guard case .failAllAndClose(let waiters, .timeout) = machine.timerFired(now: soon + .milliseconds(1)) else {
            Issue.record("no timeout")
            return
        }
        #expect(waiters == [1, 2])
        guard case .fail(3, .timeout) = machine.send(3, deadline: self.later) else { Issue.record("wrote after close"); return }
    }

    @Test("the timer re-arms for the oldest command still pending")
    func timerRearms() {
        var machine = Machine()
        let first = NIODeadline.now() + .milliseconds(10)
        let second = NIODeadline.now() + .milliseconds(500)
        _ = machine.send(1, deadline: first)
        _ = machine.send(2, deadline: second)
        _ = machine.received()
        guard case .arm(let deadline) = machine.timerFired(now: first + .milliseconds(1)) else {
            Issue.record("did not re-arm")
            return
        }
        #expect(deadline == second)
        _ = machine.received()
        guard case .none = machine.timerFired(now: second) else { Issue.record("fired with nothing pending"); return }
    }

    @Test("a decoding failure and a closed channel fail what is pending, once")
    func closeFailsPendingOnce() {
        var machine = Machine()
        _ = machine.send(1, deadline: self.later)
        #expect(machine.decodingFailed(.protocolError("x")) == [1])
        #expect(machine.closed() == [])
    }
}
