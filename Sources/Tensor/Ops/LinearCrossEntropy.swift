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
    try fusedHeadCrossEntropy("linearCrossEntropy", x, weight: .f32(weight), targets: targets,
                              weights: targets.map { $0 == ignoreIndex ? 0 : 1 }, chunkRows: chunkRows, countCorrect: false).loss
}

/// The loss of `linearMaskedCrossEntropy` with the argmax accuracy of the rows it counts.
public struct HeadLoss {
    /// `Σ mask_i · CE_i / Σ mask_i` (a scalar tensor on the tape).
    public let loss: Tensor
    /// Rows with mask ≠ 0 whose logits' argmax (first index on ties) equals the target.
    public let correct: Int
    /// Rows with mask ≠ 0.
    public let counted: Int
}

/// Fused LM head + masked cross-entropy: `maskedCrossEntropy(logits: linear(x, weight: w),
/// targets:, mask:)` in row chunks like `linearCrossEntropy` (SafeKey's SFT loss with mask =
/// "label kept", and its QMM loss with mask = key-sentence tokens), also counting correct argmax
/// predictions from the same chunks — the trainer's token accuracy without a second pass over V.
/// Targets under a 0 mask are not read. An all-zero mask gives 0 with zero gradient.
public func linearMaskedCrossEntropy(_ x: Tensor, weight: Tensor, targets: [Int], mask: [Float],
                                     chunkRows: Int = 128) throws -> HeadLoss {
    try linearMaskedCrossEntropy(x, weight: .f32(weight), targets: targets, mask: mask, chunkRows: chunkRows)
}

/// `linearMaskedCrossEntropy` with the head as stored: an f32 tensor, or a frozen BF16 matrix whose
/// products widen 128 rows at a time (no f32 copy of the head; gradient only for `x`).
public func linearMaskedCrossEntropy(_ x: Tensor, weight: StoredWeight, targets: [Int], mask: [Float],
                                     chunkRows: Int = 128) throws -> HeadLoss {
    guard mask.count == targets.count else {
        throw TensorError.shapeMismatch(op: "linearMaskedCrossEntropy", detail: "\(mask.count) mask entries for \(targets.count) targets")
    }
    return try fusedHeadCrossEntropy("linearMaskedCrossEntropy", x, weight: weight, targets: targets, weights: mask,
                                     chunkRows: chunkRows, countCorrect: true)
}

/// Shared kernel: `Σ w_i · (logsumexp(z_i) − z_i[t_i]) / Σ w_i` with `z = x · Wᵀ` formed
/// `chunkRows` rows at a time; backward `dz_i = g · w_i / Σw · (softmax(z_i) − onehot(t_i))`.
///
/// A frozen head (a LoRA base, f32 or BF16) with an `x` that needs a gradient: the forward, which
/// has each chunk's logits at hand, also forms `dz` for `g = 1` and `dx₁ = dz·W` (`[N, C]`, kept
/// for backward), so backward is `x.grad += g · dx₁` instead of recomputing every logit — one
/// head-sized product a step less. For `g = 1` (the loss itself) every value is the one the
/// recomputing backward gives.
private func fusedHeadCrossEntropy(_ op: String, _ x: Tensor, weight stored: StoredWeight, targets: [Int], weights: [Float],
                                   chunkRows: Int, countCorrect: Bool) throws -> HeadLoss {
    let weight = stored.tensor, w16 = stored.bf16, wshape = stored.shape
    // With the AVX512-BF16 kernel (BF16Gemm.isEnabled) a BF16 head is packed once per pass (forward;
    // backward), not once per chunk: `2·V·C` bytes while the pass runs.
    let kernel = w16 != nil && BF16Gemm.isEnabled
    // z = x·Wᵀ for `rows` rows starting at `x0`.
    func logitsOf(_ x0: UnsafePointer<Float>, _ rows: Int, _ v: Int, _ c: Int, into z: UnsafeMutablePointer<Float>,
                  packed: BF16Gemm.PackedB?) {
        if let packed { packed.multiply(a: x0, m: rows, c: z) }
        else if let w16 { bf16GemmWidening(m: rows, n: v, k: c, w: w16.bits, x: x0, bias: nil, y: z) }
        else if let weight { sgemm(transB: true, m: rows, n: v, k: c, a: x0, lda: c, b: weight.data, ldb: c, c: z, ldc: v) }
    }
    // dx[rows] += dz·W for `rows` rows of `dz` (`[rows, V]`).
    func inputGradient(_ dz: UnsafePointer<Float>, rows: Int, into dx: UnsafeMutablePointer<Float>, packed: BF16Gemm.PackedB?) {
        let v = wshape[0], c = wshape[1]
        if let packed {
            packed.multiply(a: dz, m: rows, lda: v, beta: 1, c: dx, ldc: c)
        } else if let w16 {
            bf16InputGradient(m: rows, n: v, k: c, w: w16.bits, g: dz, beta: 1, dx: dx, useKernel: false)
        } else if let weight {
            sgemm(m: rows, n: c, k: v, a: dz, lda: v, b: weight.data, ldb: c, beta: 1, c: dx, ldc: c)
        }
    }
    guard stored.shape.count == 2, let c = x.shape.last, c == wshape[1], x.count / max(c, 1) == targets.count else {
        throw TensorError.shapeMismatch(op: op, detail: "x \(x.shape), weight \(wshape), \(targets.count) targets; need x [N, C], weight [V, C], N targets")
    }
    try checkNonEmpty(op, x)
    let n = targets.count, v = wshape[0], chunk = max(1, chunkRows)
    for (i, t) in targets.enumerated() where weights[i] != 0 && (t < 0 || t >= v) {
        throw TensorError.indexOutOfRange(op: op, detail: "target \(t) at row \(i) is outside 0..<\(v)")
    }
    let total = weights.reduce(0, +)
    let lse = SavedBuffer(count: n)
    let rowLoss = SavedBuffer(count: n)
    let hit = UnsafeMutablePointer<Bool>.allocate(capacity: n)
    hit.initialize(repeating: false, count: n)
    defer { hit.deallocate() }
    let logits = UnsafeMutablePointer<Float>.allocate(capacity: min(chunk, n) * v)
    defer { logits.deallocate() }
    let eager = total > 0 && x.requiresGrad && !(weight?.requiresGrad ?? false) && Tensor.shouldRecord([x])
    let dxEager = eager ? SavedBuffer(count: n * c) : nil
    let packedGradient = eager && kernel ? w16.map { BF16Gemm.PackedB($0.bits, layout: .kn, k: v, n: c) } : nil
    let packedForward = kernel ? w16.map { BF16Gemm.PackedB($0.bits, layout: .nk, k: c, n: v) } : nil
    for r0 in stride(from: 0, to: n, by: chunk) {
        let rows = min(chunk, n - r0)
        logitsOf(x.data + r0 * c, rows, v, c, into: logits, packed: packedForward)
        Parallel.forRange(rows, grain: 4) { r in
            for i in r where weights[r0 + i] != 0 {
                let row = logits + i * v, target = targets[r0 + i]
                let l = logSumExp(row, v)
                lse.pointer[r0 + i] = l
                rowLoss.pointer[r0 + i] = l - row[target]
                if countCorrect { hit[r0 + i] = firstArgmax(row, v) == target }
            }
        }
        if let dxEager {
            lossGradientRows(logits, rows: rows, v: v, r0: r0, g: 1 / total, weights: weights, targets: targets, lse: lse.pointer)
            inputGradient(logits, rows: rows, into: dxEager.pointer + r0 * c, packed: packedGradient)
        }
    }
    var loss: Double = 0, correct = 0, counted = 0
    for i in 0..<n where weights[i] != 0 {
        loss += Double(weights[i] * rowLoss.pointer[i])
        counted += 1
        if hit[i] { correct += 1 }
    }
    let out = Tensor(zeros: [])
    out.data[0] = total > 0 ? Float(loss / Double(total)) : 0
    out.recorded(op, [x] + (weight.map { [$0] } ?? [])) { out in
        guard total > 0 else { return }
        if let dxEager {
            let g = out.gradBuffer()[0], dx = x.gradBuffer(), src = dxEager.pointer
            Parallel.forRange(n * c, grain: 1 << 15) { r in for i in r { dx[i] += g * src[i] } }
            return
        }
        let g = out.gradBuffer()[0] / total
        let dz = UnsafeMutablePointer<Float>.allocate(capacity: min(chunk, n) * v)
        defer { dz.deallocate() }
        let dx = x.requiresGrad ? x.gradBuffer() : nil, dw = weight.flatMap { $0.requiresGrad ? $0.gradBuffer() : nil }
        let packedForward = kernel ? w16.map { BF16Gemm.PackedB($0.bits, layout: .nk, k: c, n: v) } : nil
        let packedGradient = kernel && dx != nil ? w16.map { BF16Gemm.PackedB($0.bits, layout: .kn, k: v, n: c) } : nil
        for r0 in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - r0)
            logitsOf(x.data + r0 * c, rows, v, c, into: dz, packed: packedForward)
            lossGradientRows(dz, rows: rows, v: v, r0: r0, g: g, weights: weights, targets: targets, lse: lse.pointer)
            if let dx { inputGradient(dz, rows: rows, into: dx + r0 * c, packed: packedGradient) }
            if let dw {
                sgemm(transA: true, m: v, n: c, k: rows, a: dz, lda: v, b: x.data + r0 * c, ldb: c, beta: 1, c: dw, ldc: c)
            }
        }
    }
    return HeadLoss(loss: out, correct: correct, counted: counted)
}

/// Turns `rows` rows of logits `z` (`[rows, v]`, rows `r0…` of the batch) into the loss gradient in
/// place: `g · w_i · (softmax(z_i) − onehot(t_i))`, rows of weight 0 set to 0 (`lse`: each row's
/// log-sum-exp).
private func lossGradientRows(_ z: UnsafeMutablePointer<Float>, rows: Int, v: Int, r0: Int, g: Float, weights: [Float],
                              targets: [Int], lse: UnsafePointer<Float>) {
    Parallel.forRange(rows, grain: 4) { r in
        for i in r {
            let row = z + i * v
            guard weights[r0 + i] != 0 else { row.update(repeating: 0, count: v); continue }
            _ = expShiftSum(row, row, v, shift: lse[r0 + i])   // softmax
            let w = g * weights[r0 + i]
            var j = 0
            let wv = SIMD8<Float>(repeating: w)
            while j + 8 <= v {
                let p = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(row + j).storeBytes(of: p * wv, as: SIMD8<Float>.self)
                j += 8
            }
            while j < v { row[j] *= w; j += 1 }
            row[targets[r0 + i]] -= w
        }
    }
}

/// Index of the first largest element of `row[0..<n]` (the `argmax` of PyTorch and NumPy).
@inline(__always)
func firstArgmax(_ row: UnsafePointer<Float>, _ n: Int) -> Int {
    let best = maxOf(row, n)
    for j in 0..<n where row[j] == best { return j }
    return 0   // only when every element is NaN
}
