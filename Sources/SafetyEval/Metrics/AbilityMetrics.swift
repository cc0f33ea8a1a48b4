import Foundation

/// Keys `safekey generate` writes per record for response lengths (one value per response).
public enum LengthKeys {
    /// Tokens generated per response (stop token excluded).
    public static let responseTokens = "response_tokens"
    /// Tokens before `</think>` per response; null when the response never closed its reasoning.
    public static let thinkTokens = "think_tokens"
}

/// The unbiased pass@k estimator of Chen et al. 2021 (HumanEval paper, eq. 1):
/// pass@k = E_items[1 − C(n−c, k) / C(n, k)] for n samples of which c pass, computed as the
/// product 1 − ∏_{i=n−c+1}^{n} (1 − k/i), which never forms a large binomial coefficient.
public enum PassAtK {
    public static func estimate(n: Int, c: Int, k: Int) -> Double {
        precondition(n >= k && k >= 1 && c >= 0 && c <= n, "pass@k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n")
        if n - c < k { return 1 }
        if c == 0 { return 0 }
        var prod = 1.0
        for i in (n - c + 1)...n { prod *= 1 - Double(k) / Double(i) }
        return 1 - prod
    }

    /// The k reported for n samples per item: 1, then 5, 10, 25, 50, 100 while ≤ n, and n itself.
    public static func ks(samples n: Int) -> [Int] {
        guard n > 1 else { return [1] }
        var ks = [1] + [5, 10, 25, 50, 100].filter { $0 < n }
        ks.append(n)
        return ks
    }
}

/// What the ability half of the report shows beside accuracy, for one (file, judge, part).
///
/// - `passAtK`: `pass@k` → unbiased estimate averaged over items, for ``PassAtK/ks(samples:)`` of
///   the smallest sample count per item (items with a failed verdict use their judged samples);
/// - `truncated`: responses without `</think>` of all responses (they stay in the accuracy as
///   judged — usually wrong — and are reported here, never silently);
/// - `accuracyClosed`: accuracy over the responses that did close their reasoning;
/// - `meanResponseTokens` / `meanThinkTokens`: from the `response_tokens` / `think_tokens` fields
///   (thinking averaged over closed responses only); nil when the file has no counts.
public struct AbilityStats: Codable, Equatable, Sendable {
    public var samplesPerItem: Int
    public var passAtK: [String: Double]
    public var truncated: Proportion
    public var accuracyClosed: Proportion
    public var meanResponseTokens: Double?
    public var meanThinkTokens: Double?

    /// Computes the statistics from the `[part_]<judge>_label` lists of `file`.
    public static func compute(_ file: GenerationFile, judge: String, part: ResponsePart) -> AbilityStats? {
        let key = part.labelKey(judge: judge)
        var perItem: [(n: Int, c: Int)] = []
        var truncated = 0, total = 0, closedK = 0, closedN = 0
        var respTok = 0, respN = 0, thinkTok = 0, thinkN = 0
        for r in file.data {
            guard let labels = r.fields[key]?.arrayValue else { continue }
            var n = 0, c = 0
            for (i, l) in labels.enumerated() where i < r.response.count {
                let closed = r.response[i].contains(ResponsePart.thinkEnd)
                total += 1
                if !closed { truncated += 1 }
                guard let v = l.intValue else { continue }
                n += 1
                if v == 1 { c += 1 }
                if closed { closedN += 1; if v == 1 { closedK += 1 } }
            }
            if n > 0 { perItem.append((n, c)) }
            if let t = r.fields[LengthKeys.responseTokens]?.arrayValue {
                for x in t.compactMap(\.intValue) { respTok += x; respN += 1 }
            }
            if let t = r.fields[LengthKeys.thinkTokens]?.arrayValue {
                for x in t.compactMap(\.intValue) { thinkTok += x; thinkN += 1 }
            }
        }
        guard total > 0 else { return nil }
        let samples = perItem.map(\.n).min() ?? 1
        var pass: [String: Double] = [:]
        if !perItem.isEmpty {
            for k in PassAtK.ks(samples: samples) {
                pass["pass@\(k)"] = perItem.map { PassAtK.estimate(n: $0.n, c: $0.c, k: k) }.reduce(0, +) / Double(perItem.count)
            }
        }
        return AbilityStats(samplesPerItem: samples, passAtK: pass, truncated: Proportion(k: truncated, n: total),
                            accuracyClosed: Proportion(k: closedK, n: closedN),
                            meanResponseTokens: respN > 0 ? Double(respTok) / Double(respN) : nil,
                            meanThinkTokens: thinkN > 0 ? Double(thinkTok) / Double(thinkN) : nil)
    }
}
