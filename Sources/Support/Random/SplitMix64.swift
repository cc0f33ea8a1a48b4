/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
/// the constants of Vigna's reference `splitmix64.c`): the package's one seeded generator. The
/// same seed gives the same stream on every platform and Swift version, which
/// `SystemRandomNumberGenerator` does not.
///
///     var g = SplitMix64(seed: 0)
///     g.next()   // 0xE220A8397B1DCDAF, the reference's first output for seed 0
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole generator state (save it to resume the stream).
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15  // golden-ratio increment; wraps by definition
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform double in `[0, 1)` from the top 53 bits.
    @inlinable
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform float in `[0, 1)` from the top 24 bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
}
