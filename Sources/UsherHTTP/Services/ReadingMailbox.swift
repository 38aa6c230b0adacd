internal import Synchronization

/// One capacity stream's readings in waiting: only the newest one not yet taken, as a stream that reads when it gets
/// to it would have read.
final class ReadingMailbox: Sendable {
    private struct State {
        var pending: CapacityReading?
        var waiter: CheckedContinuation<CapacityReading?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    init() {}

    func put(_ reading: CapacityReading) {
        let waiter = self.state.withLock { state -> CheckedContinuation<CapacityReading?, Never>? in
            guard !state.closed else { return nil }
            guard let waiter = state.waiter else {
                state.pending = reading
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: reading)
    }

    /// No more readings: a waiting `next` and every later one answer nil.
    func close() {
        let waiter = self.state.withLock { state -> CheckedContinuation<CapacityReading?, Never>? in
            state.closed = true
            state.pending = nil
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next reading; nil once closed, and when the waiting task is cancelled (which closes the mailbox).
    func next() async -> CapacityReading? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = self.state.withLock { state -> (CapacityReading?)? in
                    if let pending = state.pending {
                        state.pending = nil
                        return pending
                    }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.close()
        }
    }
}
