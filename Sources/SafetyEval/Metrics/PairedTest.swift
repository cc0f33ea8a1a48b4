import Foundation
import Support

/// The exact McNemar test (the sign test on discordant pairs) for two systems judged on the same
/// items: `b` items where only system A has the outcome (e.g. SFT harmful, SafeKey not), `c` where
/// only system B has it. Under H0 (no difference) each discordant pair goes either way with
/// probability ½, so the two-sided p-value is
///
///     p = min(1, 2 · P(X ≤ min(b, c))),   X ~ Binomial(b + c, ½)
///
/// (1 when b + c = 0). This is `scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue` and
/// statsmodels' `mcnemar(exact=True)`; `Tests/SafetyEvalTests/PairedTestTests` checks it against
/// SciPy's values (Scripts/paired_stats_fixtures.py). Terms are summed in log space, so b + c in
/// the millions neither overflows nor underflows to a wrong 0.
///
///     McNemar(b: 7, c: 2).p   // 0.1796875
public struct McNemar: Codable, Equatable, Sendable {
    public var b: Int
    public var c: Int
    public var p: Double

    public init(b: Int, c: Int) {
        self.b = b
        self.c = c
        p = Self.exactP(b: b, c: c)
    }

    /// Pairs outcomes item by item (`a[i]`, `b[i]` for the same item): b counts `a && !b`, c counts `!a && b`.
    public init(_ a: [Bool], _ other: [Bool]) {
        precondition(a.count == other.count, "paired outcomes must be for the same items")
        var b = 0, c = 0
        for (x, y) in zip(a, other) where x != y {
            if x { b += 1 } else { c += 1 }
        }
        self.init(b: b, c: c)
    }

    static func exactP(b: Int, c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let k = min(b, c)
        let nn = Double(n)
        let logHalf = -nn * M_LN2
        // log C(n, i) + n log ½, for i = 0 … k; the largest term is the last (k ≤ n/2).
        let logTerm = { (i: Int) -> Double in lgamma(nn + 1) - lgamma(Double(i) + 1) - lgamma(nn - Double(i) + 1) + logHalf }
        let top = logTerm(k)
        var sum = 0.0
        for i in 0...k { sum += exp(logTerm(i) - top) }
        let logP = M_LN2 + top + log(sum)
        return logP >= 0 ? 1 : exp(logP)
    }
}

/// Mean, sample standard deviation (n − 1 denominator; 0 for one value), minimum and maximum of a
/// few values — the seed-to-seed spread of a rate.
public struct Spread: Codable, Equatable, Sendable {
    public var mean: Double
    public var sd: Double
    public var min: Double
    public var max: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else {
            (mean, sd, min, max) = (0, 0, 0, 0)
            return
        }
        let m = SampleStatistics.mean(values)
        mean = m
        sd = SampleStatistics.variance(values, mean: m).squareRoot()  // 0 for one value
        min = values.min() ?? 0
        max = values.max() ?? 0
    }
}
