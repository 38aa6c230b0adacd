import Testing

@testable import UsherHTTP

@Suite("request read deadline")
struct RequestReadDeadlineTests {
    @Test("the clock starts with a request's first bytes, or its head when that comes whole, and stops at its end")
    func startsAndStops() {
        var partial = RequestReadDeadline()
        #expect(partial.readCompleted() == .start)
        #expect(partial.readHead() == .keep)
        #expect(partial.readEnd() == .stop)
        var whole = RequestReadDeadline()
        #expect(whole.readHead() == .start)
        #expect(whole.readEnd() == .stop)
    }

    @Test("the read that carries a request's end starts nothing; the next read starts the next request")
    func endedReadStartsNothing() {
        var deadline = RequestReadDeadline()
        _ = deadline.readHead()
        _ = deadline.readEnd()
        #expect(deadline.readCompleted() == .keep)
        #expect(deadline.state == .waiting)
        #expect(deadline.readCompleted() == .start)
        // A pipelined head in the same read as the end starts the clock at once.
        var pipelined = RequestReadDeadline()
        _ = pipelined.readHead()
        _ = pipelined.readEnd()
        #expect(pipelined.readHead() == .start)
    }

    @Test("a passed deadline answers 408 only while nothing is answered or being written, and then closes")
    func passedAnswersWhenItCan() {
        var unanswered = RequestReadDeadline()
        _ = unanswered.readHead()
        #expect(unanswered.passed() == .answer)
        #expect(unanswered.passed() == .nothing)
        var answeredEarly = RequestReadDeadline()
        _ = answeredEarly.readHead()
        answeredEarly.wroteHead(informational: false)
        answeredEarly.wroteEnd()
        #expect(answeredEarly.passed() == .close)
        var continued = RequestReadDeadline()
        _ = continued.readHead()
        continued.wroteHead(informational: true)
        #expect(continued.passed() == .answer)
        // The next request's head trickles in while the first one's answer (a stream) is still being written.
        var behindStream = RequestReadDeadline()
        _ = behindStream.readHead()
        _ = behindStream.readEnd()
        _ = behindStream.readCompleted()
        behindStream.wroteHead(informational: false)
        #expect(behindStream.readCompleted() == .start)
        #expect(behindStream.passed() == .close)
    }

    @Test("the client closing its side stops the clock for good")
    func inputClosedStops() {
        var deadline = RequestReadDeadline()
        _ = deadline.readCompleted()
        #expect(deadline.inputClosed() == .stop)
        #expect(deadline.readCompleted() == .keep)
        #expect(deadline.passed() == .nothing)
        var idle = RequestReadDeadline()
        #expect(idle.inputClosed() == .keep)
    }
}
