/// The sample mean and the sample (unbiased, `n − 1`) variance of a few values — the arithmetic
/// behind SafeKey's `MeanInterval` (a 95% interval) and SafetyEval's `Spread` (seed-to-seed spread),
/// kept in one place so the two cannot drift.
///
///     SampleStatistics.mean([1, 2, 3, 4])                  // 2.5
///     SampleStatistics.variance([1, 2, 3, 4], mean: 2.5)   // 1.666…  (5 / 3)
public enum SampleStatistics {
    /// `Σ values / n`; NaN for no values.
    public static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// `Σ (v − mean)² / (n − 1)` around `mean` (pass ``mean(_:)``'s result); 0 for one value or none.
    public static func variance(_ values: [Double], mean: Double) -> Double {
        guard values.count > 1 else { return 0 }
        return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    }
}
