import Foundation

/// Softmax cross-entropy over the last dimension, forward and backward.
///
/// `crossEntropy`: `logits` `[N, V]` (or `[..., V]`, flattened), `targets` `N` class ids; rows whose
/// target is `ignoreIndex` (−100, PyTorch's default) are skipped; the loss is the mean over kept
/// rows — `torch.nn.functional.cross_entropy(..., ignore_index=-100, reduction="mean")`.
/// Callers shift labels for next-token prediction (position t predicts token t+1) themselves.
/// If every row is ignored the loss is 0 with zero gradient (PyTorch would return NaN).
public func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int = -100) throws -> Tensor {
    let weights = targets.map { $0 == ignoreIndex ? Float(0) : 1 }
    return try weightedCrossEntropy("crossEntropy", logits: logits, targets: targets, weights: weights)
}

/// Masked token cross-entropy: `Σ_i mask_i · CE_i / Σ_i mask_i` with a 0/1 `mask` of `N` entries
/// (SafeKey's QMM loss on the key-sentence tokens). Targets under a 0 mask are not read.
/// An all-zero mask gives 0 with zero gradient.
public func maskedCrossEntropy(logits: Tensor, targets: [Int], mask: [Float]) throws -> Tensor {
    guard mask.count == targets.count else {
        throw TensorError.shapeMismatch(op: "maskedCrossEntropy", detail: "\(mask.count) mask entries for \(targets.count) targets")
    }
    return try weightedCrossEntropy("maskedCrossEntropy", logits: logits, targets: targets, weights: mask)
}

/// Shared kernel: `Σ w_i · (logsumexp(z_i) − z_i[t_i]) / Σ w_i`;
/// backward `dz_i = g · w_i / Σw · (softmax(z_i) − onehot(t_i))`.
private func weightedCrossEntropy(_ op: String, logits: Tensor, targets: [Int], weights: [Float]) throws -> Tensor {
    guard let v = logits.shape.last, v > 0, logits.count / v == targets.count else {
        throw TensorError.shapeMismatch(op: op, detail: "logits \(logits.shape), \(targets.count) targets; need [N, V] with N targets")
    }
    try checkNonEmpty(op, logits)
    let n = targets.count
    for (i, t) in targets.enumerated() where weights[i] != 0 && (t < 0 || t >= v) {
        throw TensorError.indexOutOfRange(op: op, detail: "target \(t) at row \(i) is outside 0..<\(v)")
    }
    let total = weights.reduce(0, +)
    let lse = SavedBuffer(count: n)
    let z = logits.data
    var loss: Double = 0
    let rowLoss = SavedBuffer(count: n)
    Parallel.forRange(n, grain: 4) { r in
        for i in r where weights[i] != 0 {
            let row = z + i * v
            let l = logSumExp(row, v)
            lse.pointer[i] = l
            rowLoss.pointer[i] = l - row[targets[i]]
        }
    }
    for i in 0..<n where weights[i] != 0 { loss += Double(weights[i] * rowLoss.pointer[i]) }
    let out = Tensor(zeros: [])
    out.data[0] = total > 0 ? Float(loss / Double(total)) : 0
    return out.recorded(op, [logits]) { out in
        guard total > 0 else { return }
        let g = out.gradBuffer()[0] / total, dz = logits.gradBuffer()
        Parallel.forRange(n, grain: 4) { r in
            for i in r where weights[i] != 0 {
                let row = z + i * v, drow = dz + i * v, l = lse.pointer[i], w = g * weights[i]
                var j = 0
                let lv = SIMD8<Float>(repeating: l)
                while j + 8 <= v {
                    let e = vexp(UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self) - lv)
                    let d = UnsafeRawPointer(drow + j).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(drow + j).storeBytes(of: d + w * e, as: SIMD8<Float>.self)
                    j += 8
                }
                while j < v { drow[j] += w * sexp(row[j] - l); j += 1 }
                drow[targets[i]] -= w
            }
        }
    }
}

/// `log Σ_j exp(x_j)` computed stably (max-shifted).
@inline(__always) func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let mx = maxOf(x, n)
    if mx == -.infinity { return mx }
    return mx + logf(expShiftSumOnly(x, n, shift: mx))
}

/// Binary cross-entropy with logits, mean over `N` entries —
/// `torch.nn.functional.binary_cross_entropy_with_logits`: `max(z,0) − z·y + log(1 + e^{−|z|})`;
/// gradient `(σ(z) − y) / N`. `logits` has `N` elements (any shape), `targets` `N` values in [0, 1].
/// With `weights` (N values, 0/1 for "take part or not") the mean is `Σ wᵢ·ℓᵢ / Σ wᵢ`
/// (0 with zero gradient when every weight is 0).
public func bceWithLogits(logits: Tensor, targets: [Float], weights: [Float]? = nil) throws -> Tensor {
    guard logits.count == targets.count, weights == nil || weights!.count == targets.count else {
        throw TensorError.shapeMismatch(op: "bceWithLogits", detail: "logits \(logits.shape) (\(logits.count) elements), \(targets.count) targets, \(weights?.count ?? targets.count) weights")
    }
    try checkNonEmpty("bceWithLogits", logits)
    let n = logits.count, z = logits.data
    let w = weights ?? [Float](repeating: 1, count: n)
    let total = w.reduce(0, +)
    var sum: Float = 0
    for i in 0..<n where w[i] != 0 { sum += w[i] * (max(z[i], 0) - z[i] * targets[i] + log1pf(expf(-abs(z[i])))) }
    let out = Tensor(zeros: [])
    out.data[0] = total > 0 ? sum / total : 0
    return out.recorded("bceWithLogits", [logits]) { out in
        guard total > 0 else { return }
        let g = out.gradBuffer()[0] / total, dz = logits.gradBuffer()
        for i in 0..<n where w[i] != 0 { dz[i] += g * w[i] * (1 / (1 + expf(-z[i])) - targets[i]) }
    }
}
