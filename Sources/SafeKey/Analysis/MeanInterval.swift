import Support

/// A sample mean with its 95% interval, `mean ± 1.96 · s / √n` (normal approximation; `s` the
/// sample standard deviation with `n − 1`). With one value the interval is the value itself.
public struct MeanInterval: Codable, Equatable, Sendable {
    public let mean: Double
    public let low: Double
    public let high: Double
    public let count: Int

    public init(_ values: [Double]) {
        let stats = SampleStatistics(values)
        count = stats.count
        mean = stats.mean
        let half = stats.count > 0 ? 1.96 * stats.sd / Double(stats.count).squareRoot() : .nan
        low = stats.mean - half
        high = stats.mean + half
    }
}
