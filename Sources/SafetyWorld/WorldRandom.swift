import Support

/// The world's own pseudo-random generator: Support's SplitMix64 (Steele, Lea & Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014; the constants of Vigna's reference `splitmix64.c`).
///
/// The same seed gives the same sequence on every platform and Swift version, which Swift's
/// `SystemRandomNumberGenerator` (and `Int.random(in:)` with it) does not. Every choice the world
/// makes goes through this type.
///
///     var rng = WorldRandom(seed: 2002)
///     rng.int(below: 10)                 // the same value on every run
///     rng.pick(["a", "b", "c"])          // ditto
public struct WorldRandom: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    public init(seed: UInt64) { base = SplitMix64(seed: seed) }

    /// A generator for a named sub-stream of `seed` (e.g. one per set), so that adding draws to one
    /// stream never shifts another: the seed is mixed with the FNV-1a hash of `stream`.
    public init(seed: UInt64, stream: String) {
        base = SplitMix64(seed: seed ^ FNV1a.hash64(stream))
        _ = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { base.next() }

    /// Uniform integer in `0..<n` (Lemire's multiply-shift with rejection, so exactly uniform).
    /// Returns 0 when `n <= 0`.
    public mutating func int(below n: Int) -> Int {
        guard n > 1 else { return 0 }
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound  // 2^64 mod n
        while true {
            let r = next().multipliedFullWidth(by: bound)
            if r.low >= threshold { return Int(r.high) }
        }
    }

    /// Uniform double in `[0, 1)` (53 random bits).
    public mutating func unit() -> Double { base.nextUnit() }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element; `nil` only for an empty array.
    public mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[int(below: items.count)]
    }

    /// An index drawn with probability proportional to `weights` (non-positive weights never win).
    /// Returns 0 when no weight is positive.
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0 else { return 0 }
        var x = unit() * total
        for (i, w) in weights.enumerated() where w > 0 {
            if x < w { return i }
            x -= w
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}

extension WorldRandom {
    /// A uniformly chosen element of a non-empty built-in list (the world's lexicons are checked
    /// non-empty by the tests; an empty one is a programmer error).
    mutating func one<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "SafetyWorld lexicon list is empty")
        return items[int(below: items.count)]
    }
}
