import Foundation
import Support

/// A sample mean with its 95% interval, `mean ± 1.96 · s / √n` (normal approximation; `s` the
/// sample standard deviation with `n − 1`). With one value the interval is the value itself.
public struct MeanInterval: Equatable, Sendable {
    public let mean: Double
    public let low: Double
    public let high: Double
    public let count: Int

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { mean = .nan; low = .nan; high = .nan; return }
        let m = SampleStatistics.mean(values)
        let half = 1.96 * (SampleStatistics.variance(values, mean: m) / Double(values.count)).squareRoot()  // 0 for one value
        mean = m
        low = m - half
        high = m + half
    }
}
