/// Mean and sample standard deviation (`n − 1` in the denominator, as NumPy's `std(ddof=1)` and
/// SciPy's `describe`) of a list of values, in one place for every summary that reports them
/// (`MeanInterval` in SafeKey's analyses, `Spread` over demo seeds).
///
/// Contract: `count == values.count`; for no values `mean` is NaN and `sd` is NaN; for one value
/// `sd` is 0 (a single observation has no spread to estimate, and callers print it as such).
public struct SampleStatistics: Equatable, Sendable {
    public let count: Int
    public let mean: Double
    public let sd: Double

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { mean = .nan; sd = .nan; return }
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        mean = m
        if values.count > 1 {
            let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            sd = (squares / (n - 1)).squareRoot()
        } else {
            sd = 0
        }
    }
}
