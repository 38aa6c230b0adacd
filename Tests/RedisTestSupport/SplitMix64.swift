/// A small deterministic generator, so that a failing randomized run can be repeated from its seed.
public struct SplitMix64: Sendable {
    var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    /// A number in `0..<bound`.
    public mutating func next(_ bound: Int) -> Int {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
