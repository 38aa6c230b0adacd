internal import CoreMetrics
internal import Prometheus
internal import Synchronization

/// swift-metrics' backend for Usher: swift-prometheus's registry, with help text and buckets from the catalog.
struct UsherMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    private func named(_ label: String, _ dimensions: [(String, String)]) -> (String, [(String, String)], MetricsCatalog.Entry) {
        (label, dimensions, MetricsCatalog.entry(label))
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let (name, labels, entry) = self.named(label, dimensions)
        return self.registry.makeCounter(name: name, labels: labels, help: entry.help)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let (name, labels, entry) = self.named(label, dimensions)
        return self.registry.makeCounter(name: name, labels: labels, help: entry.help)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let (name, labels, entry) = self.named(label, dimensions)
        guard aggregate else { return self.registry.makeGauge(name: name, labels: labels, help: entry.help) }
        return self.registry.makeValueHistogram(name: name, labels: labels, buckets: entry.buckets, help: entry.help)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let (name, labels, entry) = self.named(label, dimensions)
        return self.registry.makeGauge(name: name, labels: labels, help: entry.help)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let (name, labels, entry) = self.named(label, dimensions)
        let buckets = entry.buckets.map { Duration.nanoseconds(Int64($0 * 1_000_000_000)) }
        return self.registry.makeDurationHistogram(name: name, labels: labels, buckets: buckets, help: entry.help)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { self.registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { self.registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { self.registry.unregisterGauge(gauge) }
        if let histogram = handler as? Histogram<Double> { self.registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { self.registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? Histogram<Duration> { self.registry.unregisterDurationHistogram(histogram) }
    }
}

/// The process's one metrics system: swift-metrics can be bootstrapped once, and every application built in this
/// process (tests build many) reports into the same registry.
enum UsherMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(UsherMetricsFactory(registry: registry))
        return registry
    }()

    /// The HTTP metrics of every application in the process.
    static let http = HTTPMetrics()

    /// What the site counters last reported (see `SiteSampler`).
    static let counterBaseline = Mutex(CounterBaseline())

    /// The exposition in Prometheus's text format.
    static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        Self.registry.emit(into: &buffer)
        return buffer
    }
}
