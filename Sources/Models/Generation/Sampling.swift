import Foundation

/// How the next token is chosen — the subset of transformers' `GenerationConfig` SafeKey uses.
/// `temperature == 0` means greedy (transformers `do_sample=False`).
public struct SamplingParameters: Equatable, Sendable {
    public var maxNewTokens: Int
    public var temperature: Float
    /// Keep only the `topK` most likely tokens (0 = off).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP` (1 = off).
    public var topP: Float
    /// transformers' `repetition_penalty` (1 = off).
    public var repetitionPenalty: Float
    /// A row stops after producing one of these (the stop token is part of its output).
    public var stopTokenIds: Set<Int>
    public var seed: UInt64

    public init(maxNewTokens: Int, temperature: Float = 0, topK: Int = 0, topP: Float = 1,
                repetitionPenalty: Float = 1, stopTokenIds: Set<Int> = [], seed: UInt64 = 0) {
        self.maxNewTokens = maxNewTokens; self.temperature = temperature; self.topK = topK; self.topP = topP
        self.repetitionPenalty = repetitionPenalty; self.stopTokenIds = stopTokenIds; self.seed = seed
    }

    func validate() throws {
        guard maxNewTokens >= 0 else { throw ModelsError.invalidArgument("maxNewTokens must be ≥ 0, got \(maxNewTokens)") }
        guard temperature >= 0, temperature.isFinite else { throw ModelsError.invalidArgument("temperature must be ≥ 0, got \(temperature)") }
        guard topK >= 0 else { throw ModelsError.invalidArgument("topK must be ≥ 0, got \(topK)") }
        guard topP > 0, topP <= 1 else { throw ModelsError.invalidArgument("topP must be in (0, 1], got \(topP)") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else {
            throw ModelsError.invalidArgument("repetitionPenalty must be > 0, got \(repetitionPenalty)")
        }
    }
}

/// Chooses a token from one row of logits, applying the processors in transformers' order:
/// repetition penalty (`RepetitionPenaltyLogitsProcessor`: a positive logit of a token already in
/// the sequence is divided by the penalty, a negative one multiplied), then — when sampling —
/// temperature, top-k, top-p (`TopKLogitsWarper`, `TopPLogitsWarper`), softmax and a draw.
/// Greedy picks the first maximal logit (as `argmax`).
public enum Sampler {
    public static func choose(logits row: inout [Float], seen: Set<Int>, params: SamplingParameters,
                              rng: inout RandomSource) -> Int {
        if params.repetitionPenalty != 1 {
            for id in seen where id >= 0 && id < row.count {
                let s = row[id]
                row[id] = s < 0 ? s * params.repetitionPenalty : s / params.repetitionPenalty
            }
        }
        if params.temperature == 0 { return argmax(row) }
        var order = Array(row.indices)
        order.sort { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
        var keep = params.topK > 0 ? min(params.topK, order.count) : order.count
        let maxLogit = row[order[0]] / params.temperature
        var probs = order.prefix(keep).map { exp(row[$0] / params.temperature - maxLogit) }
        var total = probs.reduce(0, +)
        if params.topP < 1 {
            var cumulative: Float = 0
            for (i, p) in probs.enumerated() {
                cumulative += p / total
                if cumulative >= params.topP { keep = i + 1; break }
            }
            probs.removeLast(probs.count - keep)
            total = probs.reduce(0, +)
        }
        var u = rng.nextUniform() * total
        for (i, p) in probs.enumerated() {
            u -= p
            if u < 0 { return order[i] }
        }
        return order[probs.count - 1]
    }

    public static func argmax(_ row: [Float]) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }
}
