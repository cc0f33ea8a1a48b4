import Support
import Foundation

/// Which items of a loaded benchmark to run, applied in this order: skip `start`, keep every
/// `stride`-th item, draw a seeded random `sample` (kept in file order), keep the first `limit`.
///
/// The reference's choices map to: `--n N` → `limit`, `--start_idx` → `start`, STAR-1 `[::5]` →
/// `stride: 5`, WildJailbreak "250 with seed 42" → `sample: 250, seed: 42`. Our sampler is a
/// SplitMix64-driven Fisher–Yates shuffle, so the 250 drawn are reproducible here but are **not**
/// the ones Hugging Face `datasets.shuffle(seed=42)` draws (that uses NumPy's PCG64).
public struct BenchmarkSelection: Equatable, Sendable {
    public var start: Int
    public var stride: Int
    public var sample: Int?
    public var seed: UInt64
    public var limit: Int?

    public init(start: Int = 0, stride: Int = 1, sample: Int? = nil, seed: UInt64 = 42, limit: Int? = nil) {
        self.start = max(0, start)
        self.stride = max(1, stride)
        self.sample = sample
        self.seed = seed
        self.limit = limit
    }

    public func apply(_ items: [BenchmarkItem]) -> [BenchmarkItem] {
        var out = items.count > start ? Array(items[start...]) : []
        if stride > 1 { out = Swift.stride(from: 0, to: out.count, by: stride).map { out[$0] } }
        if let n = sample, n < out.count {
            var idx = Array(out.indices)
            var rng = SplitMix64(seed: seed)
            // Fisher–Yates; i > 0 so the modulus is never zero.
            for i in Swift.stride(from: idx.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                idx.swapAt(i, j)
            }
            out = idx.prefix(max(0, n)).sorted().map { out[$0] }
        }
        if let n = limit { out = Array(out.prefix(max(0, n))) }
        return out
    }
}
