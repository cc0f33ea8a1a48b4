/// Fused LM head + softmax cross-entropy over the vocabulary, in row chunks, so the `[N, V]`
/// logits and their gradient are never all live: `crossEntropy(logits: linear(x, weight: w),
/// targets:)` with at most `chunkRows × V` floats of logits at a time.
///
/// `x` is `[..., C]` (N rows), `weight` `[V, C]` (Hugging Face `lm_head.weight`, possibly tied to
/// the embedding), `targets` N ids (`ignoreIndex` rows skipped); the loss is the mean over kept
/// rows (PyTorch's `cross_entropy(..., ignore_index=-100)`; 0 with zero gradient when all are
/// ignored). Forward keeps one log-sum-exp per row; backward recomputes each chunk's logits with
/// one GEMM, turns them into `dz = g/N_kept · (softmax − onehot)` in place, then accumulates
/// `dx += dz · W` and `dW += dzᵀ · x` — so it costs one extra head GEMM (forward-sized) in exchange
/// for `2·N·V` floats of memory (2 × 311 MB for Qwen2-0.5B at T = 512, 2 × 268 MB at V = T = 8192).
public func linearCrossEntropy(_ x: Tensor, weight: Tensor, targets: [Int], ignoreIndex: Int = -100,
                               chunkRows: Int = 128) throws -> Tensor {
    guard weight.rank == 2, let c = x.shape.last, c == weight.shape[1], x.count / max(c, 1) == targets.count else {
        throw TensorError.shapeMismatch(op: "linearCrossEntropy", detail: "x \(x.shape), weight \(weight.shape), \(targets.count) targets; need x [N, C], weight [V, C], N targets")
    }
    try checkNonEmpty("linearCrossEntropy", x, weight)
    let n = targets.count, v = weight.shape[0], chunk = max(1, chunkRows)
    for (i, t) in targets.enumerated() where t != ignoreIndex && (t < 0 || t >= v) {
        throw TensorError.indexOutOfRange(op: "linearCrossEntropy", detail: "target \(t) at row \(i) is outside 0..<\(v)")
    }
    let kept = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    let lse = SavedBuffer(count: n)
    let logits = UnsafeMutablePointer<Float>.allocate(capacity: min(chunk, n) * v)
    defer { logits.deallocate() }
    var loss: Double = 0
    for r0 in stride(from: 0, to: n, by: chunk) {
        let rows = min(chunk, n - r0)
        sgemm(transB: true, m: rows, n: v, k: c, a: x.data + r0 * c, lda: c, b: weight.data, ldb: c, c: logits, ldc: v)
        let rowLoss = SavedBuffer(count: rows)
        Parallel.forRange(rows, grain: 4) { r in
            for i in r where targets[r0 + i] != ignoreIndex {
                let row = logits + i * v
                let l = logSumExp(row, v)
                lse.pointer[r0 + i] = l
                rowLoss.pointer[i] = l - row[targets[r0 + i]]
            }
        }
        for i in 0..<rows { loss += Double(rowLoss.pointer[i]) }
    }
    let out = Tensor(zeros: [])
    out.data[0] = kept > 0 ? Float(loss / Double(kept)) : 0
    return out.recorded("linearCrossEntropy", [x, weight]) { out in
        guard kept > 0 else { return }
        let g = out.gradBuffer()[0] / Float(kept)
        let dz = UnsafeMutablePointer<Float>.allocate(capacity: min(chunk, n) * v)
        defer { dz.deallocate() }
        let dx = x.requiresGrad ? x.gradBuffer() : nil, dw = weight.requiresGrad ? weight.gradBuffer() : nil
        for r0 in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - r0)
            sgemm(transB: true, m: rows, n: v, k: c, a: x.data + r0 * c, lda: c, b: weight.data, ldb: c, c: dz, ldc: v)
            Parallel.forRange(rows, grain: 4) { r in
                for i in r {
                    let row = dz + i * v
                    guard targets[r0 + i] != ignoreIndex else { row.update(repeating: 0, count: v); continue }
                    let l = lse.pointer[r0 + i]
                    _ = expShiftSum(row, row, v, shift: l)          // softmax
                    var j = 0
                    let gv = SIMD8<Float>(repeating: g)
                    while j + 8 <= v {
                        let p = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(row + j).storeBytes(of: p * gv, as: SIMD8<Float>.self)
                        j += 8
                    }
                    while j < v { row[j] *= g; j += 1 }
                    row[targets[r0 + i]] -= g
                }
            }
            if let dx {
                sgemm(m: rows, n: c, k: v, a: dz, lda: v, b: weight.data, ldb: c, beta: 1, c: dx + r0 * c, ldc: c)
            }
            if let dw {
                sgemm(transA: true, m: v, n: c, k: rows, a: dz, lda: v, b: x.data + r0 * c, ldb: c, beta: 1, c: dw, ldc: c)
            }
        }
    }
}
