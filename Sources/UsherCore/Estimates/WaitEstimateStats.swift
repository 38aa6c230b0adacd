/// A queue's estimate inputs and how honest its estimates have been, as the capacity view shows them.
public struct WaitEstimateStats: Sendable, Equatable, Encodable {
    public let servingSlots: Int
    public let handleSeconds: Double
    public let handleSamples: Int
    public let firstResponseSeconds: Double
    public let firstResponseSamples: Int
    /// Waits compared with their estimates: the latest, up to the configured number.
    public let errorSamples: Int
    /// Median of |estimate − actual wait| over those samples, nil before the first.
    public let medianAbsoluteErrorSeconds: Double?
}

/// The capacity script's per-queue estimate data: the inputs now and the recorded samples, each
/// `actualMs,position,slots,handleMs,firstResponseMs`.
struct WaitEstimateReply: Decodable, Equatable {
    let slots: Int
    let handleMs: Double
    let handleN: Int?
    let firstResponseMs: Double
    let firstN: Int?
    let samples: [String]?

    var stats: WaitEstimateStats {
        let errors = (self.samples ?? []).compactMap { EstimateSample($0)?.absoluteErrorSeconds }
        return WaitEstimateStats(
            servingSlots: self.slots,
            handleSeconds: self.handleMs / 1_000,
            handleSamples: self.handleN ?? 0,
            firstResponseSeconds: self.firstResponseMs / 1_000,
            firstResponseSamples: self.firstN ?? 0,
            errorSamples: errors.count,
            medianAbsoluteErrorSeconds: WaitEstimator.median(errors)
        )
    }
}

/// One recorded wait beside the estimate's inputs it was given: `actualMs,position,slots,handleMs,firstResponseMs`.
struct EstimateSample {
    let actualMilliseconds: Double
    let position: Int
    let inputs: WaitInputs

    init?(_ text: String) {
        let fields = text.split(separator: ",").compactMap { Double($0) }
        guard fields.count == 5 else { return nil }
        self.actualMilliseconds = fields[0]
        self.position = Int(fields[1])
        self.inputs = WaitInputs(servingSlots: Int(fields[2]), handleMilliseconds: fields[3], firstResponseMilliseconds: fields[4])
    }

    /// |estimate − actual wait| in seconds; nil when the inputs gave no estimate.
    var absoluteErrorSeconds: Double? {
        guard let estimate = WaitEstimator.seconds(position: self.position, inputs: self.inputs) else { return nil }
        return abs(Double(estimate) - self.actualMilliseconds / 1_000)
    }
}
