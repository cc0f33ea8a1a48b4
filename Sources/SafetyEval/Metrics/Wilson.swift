import Foundation

/// A proportion k/n with its Wilson score interval.
public struct Proportion: Codable, Equatable, Sendable {
    public var k: Int
    public var n: Int
    public var rate: Double
    public var low: Double
    public var high: Double

    /// k successes of n trials with a Wilson interval at `z` (default 95%: z = 1.959963984540054).
    /// n = 0 gives rate 0 and the uninformative interval [0, 1].
    public init(k: Int, n: Int, z: Double = Wilson.z95) {
        self.k = k
        self.n = n
        if n > 0 {
            rate = Double(k) / Double(n)
            (low, high) = Wilson.interval(k: k, n: n, z: z)
        } else {
            rate = 0
            low = 0
            high = 1
        }
    }
}

/// The Wilson score interval for a binomial proportion (Wilson 1927):
///
///     centre = (p + z²/2n) / (1 + z²/n)
///     half   = z / (1 + z²/n) · sqrt(p(1−p)/n + z²/4n²)
///
/// with p = k/n; clamped to [0, 1]. Unlike the normal-approximation interval it stays inside
/// [0, 1] and is not degenerate at k = 0 or k = n, which matters for small benchmarks
/// (JBB's 100 prompts, 0% harmfulness).
public enum Wilson {
    /// The 0.975 quantile of the standard normal (95% two-sided).
    public static let z95 = 1.959963984540054

    public static func interval(k: Int, n: Int, z: Double = z95) -> (low: Double, high: Double) {
        guard n > 0 else { return (0, 1) }
        let nn = Double(n), p = Double(k) / nn, z2 = z * z
        let denom = 1 + z2 / nn
        let centre = (p + z2 / (2 * nn)) / denom
        let half = z / denom * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        // At k = 0 (k = n) the bound is exactly 0 (1); rounding would leave ~1e-18 there.
        return (k == 0 ? 0 : max(0, centre - half), k == n ? 1 : min(1, centre + half))
    }
}
