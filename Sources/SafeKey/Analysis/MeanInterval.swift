import Foundation

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
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        let half: Double
        if values.count > 1 {
            let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
            half = 1.96 * (variance / n).squareRoot()
        } else {
            half = 0
        }
        mean = m
        low = m - half
        high = m + half
    }
}
