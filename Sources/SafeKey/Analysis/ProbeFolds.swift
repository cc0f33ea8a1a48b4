import Support

/// Deterministic stratified k-fold assignment and the ranking measure of the probe.
public enum ProbeFolds {
    /// `fold[i]` in `0..<k` for each of `labels`' records. Stratified: the harmful records'
    /// indices (ascending) are shuffled, then the benign ones', by Fisher–Yates with one
    /// ``SplitMix64`` stream seeded with `seed` (for `i` from `n−1` down to 1:
    /// `j = next() % (i+1)`, swap `i` and `j`); the `r`-th shuffled harmful record goes to fold
    /// `r mod k`, the `r`-th shuffled benign one to fold `(H + r) mod k` (`H` = number of harmful),
    /// so fold sizes differ by at most one. `Scripts/make_analyze_fixtures.py` mirrors this exactly.
    public static func assign(labels: [Bool], folds k: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        func shuffled(_ xs: [Int]) -> [Int] {
            var a = xs
            var i = a.count - 1
            while i > 0 {
                let j = Int(rng.next() % UInt64(i + 1))
                a.swapAt(i, j)
                i -= 1
            }
            return a
        }
        let harmful = shuffled(labels.indices.filter { labels[$0] })
        let benign = shuffled(labels.indices.filter { !labels[$0] })
        var fold = [Int](repeating: 0, count: labels.count)
        for (r, i) in harmful.enumerated() { fold[i] = r % k }
        for (r, i) in benign.enumerated() { fold[i] = (harmful.count + r) % k }
        return fold
    }

    /// Area under the ROC curve of `scores` for `labels` (true = positive): the probability that a
    /// random positive scores above a random negative, ties counting one half (Mann–Whitney U / (P·N)).
    /// NaN when one class is absent.
    public static func auc(scores: [Double], labels: [Bool]) -> Double {
        let pos = labels.filter { $0 }.count, neg = labels.count - pos
        guard pos > 0, neg > 0 else { return .nan }
        // Average ranks (1-based) over ties, then U = Σ ranks of positives − P(P+1)/2.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositive = 0.0
        var a = 0
        while a < order.count {
            var b = a
            while b + 1 < order.count && scores[order[b + 1]] == scores[order[a]] { b += 1 }
            let rank = Double(a + b + 2) / 2
            for i in a...b where labels[order[i]] { rankSumPositive += rank }
            a = b + 1
        }
        let u = rankSumPositive - Double(pos) * Double(pos + 1) / 2
        return u / (Double(pos) * Double(neg))
    }
}
