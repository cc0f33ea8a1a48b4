import Foundation
import Models

/// How far a model's next-token distribution has moved from a reference model's after the first
/// `k` response tokens are pre-filled — the reference implementation's
/// `benchmark/safe_benchmark/kl_eval.py` (the paper's check that safety training changes the early
/// tokens of the response most).
///
/// For a record with prompt length `p` and `R` tokens after the prompt (the rendered response, the
/// template's end-of-turn tokens included), and each `k ≤ R`: the next-token distributions `P_A`
/// (the model) and `P_B` (the reference) at position `p + k − 1`, i.e. after the prompt and the
/// first `k` response tokens, and
///
///     KL(A ‖ B) = Σ_v P_A(v) · (log P_A(v) − log P_B(v))      (nats, from log-softmax in Double)
///
/// The result for `k` is the mean over the records with `k ≤ R` (records with fewer response tokens
/// are left out of that `k`, as the reference does). Direction: the reference's `compute_kl_divergence(good,
/// bad)` with `--model_path` the trained model and `--bad_model_path` the base, i.e. KL(model ‖ reference).
/// Differences from the reference: the prefill is the encoder's token ids (the reference decodes
/// them, prepends a space and tokenises again), and no ε = 1e-10 is added to the probabilities.
public enum KLAnalysis {
    public struct Result: Equatable {
        public let id: String
        /// KL per asked `k`, nil where the record has fewer than `k` response tokens.
        public let kl: [Double?]
    }

    /// One record, every `k` of `ks`: one forward per model over `ids[0 ..< p + max k]` (causal, so
    /// each row sees only its own prefix).
    public static func measure(model a: DecoderModel, reference b: DecoderModel, record: AnalysisRecord, ks: [Int]) throws -> Result {
        let e = record.example
        let responseTokens = e.inputIds.count - e.promptLength
        let usable = ks.filter { $0 >= 1 && $0 <= responseTokens }
        guard let longest = usable.max() else { return Result(id: record.id, kl: ks.map { _ in nil }) }
        let ids = Array(e.inputIds.prefix(e.promptLength + longest))
        let rows = usable.map { e.promptLength + $0 - 1 }
        let la = try a.nextTokenLogits(ids: ids, rows: rows), lb = try b.nextTokenLogits(ids: ids, rows: rows)
        let v = a.config.vocabSize
        var byK: [Int: Double] = [:]
        for (r, k) in usable.enumerated() {
            byK[k] = divergence(la, lb, offset: r * v, count: v)
        }
        return Result(id: record.id, kl: ks.map { byK[$0] })
    }

    /// Checks that the two models share a vocabulary.
    public static func checkCompatible(_ a: DecoderModel, _ b: DecoderModel) throws {
        guard a.config.vocabSize == b.config.vocabSize else {
            throw AnalysisError.incompatibleModels("the model has \(a.config.vocabSize) token ids and the reference \(b.config.vocabSize); KL needs one vocabulary (compare a model with its own base)")
        }
    }

    /// Mean over records for each `k` (nil entries left out).
    public static func summarize(_ results: [Result], ks: [Int]) -> [MeanInterval] {
        ks.indices.map { i in MeanInterval(results.compactMap { $0.kl[i] }) }
    }

    /// KL(softmax(a) ‖ softmax(b)) over `a[offset ..< offset + count]`, in Double.
    static func divergence(_ a: [Float], _ b: [Float], offset: Int, count: Int) -> Double {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let x = pa.baseAddress! + offset, y = pb.baseAddress! + offset
                var maxA = -Double.infinity, maxB = -Double.infinity
                for i in 0..<count { maxA = max(maxA, Double(x[i])); maxB = max(maxB, Double(y[i])) }
                var sumA = 0.0, sumB = 0.0
                for i in 0..<count { sumA += exp(Double(x[i]) - maxA); sumB += exp(Double(y[i]) - maxB) }
                let logZA = maxA + log(sumA), logZB = maxB + log(sumB)
                var kl = 0.0
                for i in 0..<count {
                    let la = Double(x[i]) - logZA, lb = Double(y[i]) - logZB
                    kl += exp(la) * (la - lb)
                }
                return kl
            }
        }
    }
}
