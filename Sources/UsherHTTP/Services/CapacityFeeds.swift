internal import ServiceLifecycle
internal import Synchronization
internal import UsherCore

/// The capacity readers of this instance: while at least one capacity stream of a site is open here, one reader
/// reads the site's capacity every `intervalMilliseconds` and hands each reading to every open stream of the site, so
/// N dashboards of a site cost one read per interval, not N. A site's reader starts with its first stream and stops
/// before its next read once its last stream has closed; nothing of the site is kept then.
///
/// The reader reads as the root admin: the view does not depend on who asks, and each stream's caller is authorized
/// by the stream itself (`CapacityFeedController.Feed`) before it subscribes and again on its own schedule. It lives
/// here, above the core, because it serves the HTTP streams and their timing; the core stays one script per call.
/// Readers run in this service's task group, so graceful shutdown cancels them and ends every stream.
final class CapacityFeeds: Service, Sendable {
    private let broker: Broker
    private let intervalMilliseconds: Int
    private let state = Mutex(State())
    /// The sites whose reader is to start, with the reader's generation; `run` starts them in its task group.
    private let starts: AsyncStream<(site: String, generation: UInt64)>
    private let startsContinuation: AsyncStream<(site: String, generation: UInt64)>.Continuation

    init(broker: Broker, intervalMilliseconds: Int) {
        self.broker = broker
        self.intervalMilliseconds = intervalMilliseconds
        (self.starts, self.startsContinuation) = AsyncStream.makeStream()
    }

    /// The streams of one site and its last reading.
    private struct SiteFeed {
        /// The reader of this site's current run of streams: one that finds another generation stops.
        let generation: UInt64
        var subscribers: [UInt64: ReadingMailbox] = [:]
        var latest: CapacityReading?
    }

    private struct State {
        var sites: [String: SiteFeed] = [:]
        var nextID: UInt64 = 0
        var stopped = false
    }

    /// One stream's subscription: its readings, the site's latest first when there is one.
    struct Subscription: Sendable {
        let site: String
        let id: UInt64
        let readings: ReadingMailbox
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await start in self.starts {
                    group.addTask { await self.read(site: start.site, generation: start.generation) }
                }
            }
        }
        // No reader is left: end every stream still waiting for a reading, and open no more.
        let subscribers = self.state.withLock { state in
            state.stopped = true
            defer { state.sites = [:] }
            return state.sites.values.flatMap(\.subscribers.values)
        }
        for subscriber in subscribers { subscriber.close() }
    }

    /// Subscribes a stream to the site's readings, starting the site's reader if it has none; nil once the service
    /// has stopped.
    func subscribe(site: String) -> Subscription? {
        let mailbox = ReadingMailbox()
        let opened = self.state.withLock { state -> (id: UInt64, start: Bool)? in
            guard !state.stopped else { return nil }
            state.nextID += 1
            let id = state.nextID
            var feed = state.sites[site] ?? SiteFeed(generation: id)
            feed.subscribers[id] = mailbox
            if let latest = feed.latest { mailbox.put(latest) }
            state.sites[site] = feed
            return (id, feed.generation == id)
        }
        guard let opened else { return nil }
        if opened.start { self.startsContinuation.yield((site, opened.id)) }
        return Subscription(site: site, id: opened.id, readings: mailbox)
    }

    func unsubscribe(_ subscription: Subscription) {
        self.state.withLock { state in
            state.sites[subscription.site]?.subscribers[subscription.id] = nil
            if state.sites[subscription.site]?.subscribers.isEmpty == true { state.sites[subscription.site] = nil }
        }
        subscription.readings.close()
    }

    /// Reads done since this instance began, and readers running now: what the tests count the streams' cost by.
    var reads: Int { self.readCount.load(ordering: .relaxed) }
    var runningReaders: Int { self.readerCount.load(ordering: .relaxed) }
    private let readCount = Atomic<Int>(0)
    private let readerCount = Atomic<Int>(0)

    private func read(site: String, generation: UInt64) async {
        self.readerCount.add(1, ordering: .relaxed)
        defer { self.readerCount.subtract(1, ordering: .relaxed) }
        while !Task.isCancelled, self.isCurrent(site: site, generation: generation) {
            let reading = await CapacityReading.read(site: site, broker: self.broker)
            self.readCount.add(1, ordering: .relaxed)
            guard self.publish(reading, site: site, generation: generation) else { return }
            do {
                try await Task.sleep(for: .milliseconds(self.intervalMilliseconds))
            } catch {
                return
            }
        }
    }

    private func isCurrent(site: String, generation: UInt64) -> Bool {
        self.state.withLock { $0.sites[site]?.generation == generation }
    }

    /// Hands the reading to the site's streams; false when the site has no streams of this generation left.
    private func publish(_ reading: CapacityReading, site: String, generation: UInt64) -> Bool {
        self.state.withLock { state in
            guard var feed = state.sites[site], feed.generation == generation else { return false }
            feed.latest = reading
            state.sites[site] = feed
            for subscriber in feed.subscribers.values { subscriber.put(reading) }
            return true
        }
    }
}
