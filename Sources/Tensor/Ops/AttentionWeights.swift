import Foundation

/// Head-averaged causal attention probabilities of a few chosen queries — the analysis twin of
/// ``attention(q:k:v:hiddenKeys:scale:)`` (what transformers returns with `output_attentions=True`
/// and eager attention, then `.mean(dim=1)` over heads; SafeKey's attention analysis, paper §5).
///
/// Shapes: `q` `[B, T, Hq, D]`, `k` `[B, T, Hkv, D]` (self-attention over the same `T` positions;
/// query head `h` reads key head `h / (Hq/Hkv)`, as `repeat_kv`). For each query position `i` in
/// `queries` (each in `0..<T`), the result row holds, for every key `j`,
/// `mean_h softmax_{j' ≤ i}(scale · q[b,i,h]·k[b,j',h/g])[j]`, and 0 for `j > i` (causal).
/// Result: `[B, queries.count, T]`; every row sums to 1. `scale` defaults to `1/√D`.
///
/// Inference only: nothing is recorded on the tape. Memory: the result plus one `T`-float score row
/// per worker — never `T×T`, so it is cheap for the handful of K tokens the analysis asks about.
public func attentionWeights(q: Tensor, k: Tensor, queries: [Int], scale: Float? = nil) throws -> Tensor {
    guard q.rank == 4, k.rank == 4, q.shape[0] == k.shape[0], q.shape[1] == k.shape[1], q.shape[3] == k.shape[3],
          k.shape[2] > 0, q.shape[2] % k.shape[2] == 0 else {
        throw TensorError.shapeMismatch(op: "attentionWeights", detail: "q \(q.shape), k \(k.shape); need q [B,T,Hq,D], k [B,T,Hkv,D], Hq % Hkv == 0")
    }
    try checkNonEmpty("attentionWeights", q, k)
    let b = q.shape[0], t = q.shape[1], hq = q.shape[2], hkv = k.shape[2], d = q.shape[3]
    if let bad = queries.first(where: { $0 < 0 || $0 >= t }) {
        throw TensorError.indexOutOfRange(op: "attentionWeights", detail: "query position \(bad) is outside 0..<\(t)")
    }
    guard !queries.isEmpty else { throw TensorError.empty(op: "attentionWeights", shape: [b, 0, t]) }
    let s = scale ?? 1 / Float(d).squareRoot()
    let nq = queries.count, group = hq / hkv
    let out = Tensor(zeros: [b, nq, t])
    let qp = q.data, kp = k.data, op = out.data
    queries.withUnsafeBufferPointer { rows in
        Parallel.forEach(b * nq) { task in
            let bi = task / nq, i = rows[task % nq]
            let keys = i + 1
            let score = UnsafeMutablePointer<Float>.allocate(capacity: keys)
            defer { score.deallocate() }
            let dst = op + task * t
            let invHeads = 1 / Float(hq)
            for h in 0..<hq {
                let qRow = qp + ((bi * t + i) * hq + h) * d
                let kh = h / group
                var maxScore = -Float.infinity
                for j in 0..<keys {
                    let kRow = kp + ((bi * t + j) * hkv + kh) * d
                    var dot: Float = 0
                    for c in 0..<d { dot += qRow[c] * kRow[c] }
                    score[j] = dot * s
                    maxScore = max(maxScore, score[j])
                }
                var sum: Float = 0
                for j in 0..<keys {
                    score[j] = Foundation.exp(score[j] - maxScore)
                    sum += score[j]
                }
                let w = invHeads / sum
                for j in 0..<keys { dst[j] += score[j] * w }
            }
        }
    }
    return out
}
