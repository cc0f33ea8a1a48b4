/// A linear layer over a weight as stored (f32 tensor or BF16 matrix), optionally with a LoRA
/// adapter on it — forward and backward in one place.
///
/// `y = x·Wᵀ + bias + s · (d(x)·Aᵀ)·Bᵀ` — PEFT `lora.Linear.forward` (`result = base_layer(x);
/// result += lora_B(lora_A(dropout(x))) * scaling`), with
/// - `x` `[..., in]`, `W` `[out, in]` (Hugging Face `nn.Linear.weight`), `bias` `[out]`;
/// - `A` `[r, in]` (`lora_A.weight`), `B` `[out, r]` (`lora_B.weight`), `s = α / r`;
/// - `d(x) = x ⊙ mask` where `mask` (same shape as `x`, entries 0 or `1/(1−p)`) is inverted dropout
///   drawn by the caller; nil means no dropout (`lora_dropout = 0`, or evaluation).
///
/// Backward, with `g = dy` `[N, out]` and `u = d(x)·Aᵀ` `[N, r]` saved from forward:
/// `dB = s·gᵀ·u`, `gu = s·g·B` `[N, r]`, `dA = guᵀ·d(x)`, `dx = g·W + (gu·A) ⊙ mask`, `dbias = Σ_rows g`.
/// Only tensors that require a gradient get one: a frozen base (`requiresGrad == false`, or any BF16
/// matrix) passes the input gradient through and gets none. For a BF16 `W`, `g·W` widens 128 rows of
/// `W` at a time into an f32 tile (never the whole matrix), as the forward prefill path does.
///
/// Extra memory kept for backward: `u` (`N·r` floats) — nothing of size `N·out`.
///
/// ```swift
/// let y = try linear(x, weight: .bf16(w), bias: nil, lora: LoRAWeights(a: a, b: b, scale: 2))
/// ```
public func linear(_ x: Tensor, weight: StoredWeight, bias: Tensor? = nil, lora: LoRAWeights?,
                   dropoutMask: Tensor? = nil) throws -> Tensor {
    let out = weight.shape[0], k = weight.shape[1]
    guard weight.shape.count == 2, x.rank >= 1, x.shape.last == k, bias.map({ $0.shape == [out] }) ?? true else {
        throw TensorError.shapeMismatch(op: "linear", detail: "x \(x.shape), weight \(weight.shape), bias \(bias?.shape ?? []); weight must be [out, x.shape.last], bias [out]")
    }
    if let lora {
        let r = lora.a.shape.first ?? 0
        guard lora.a.shape == [r, k], lora.b.shape == [out, r], r > 0 else {
            throw TensorError.shapeMismatch(op: "linear", detail: "LoRA A \(lora.a.shape), B \(lora.b.shape) for weight \(weight.shape); need A [r, \(k)], B [\(out), r]")
        }
    }
    if let dropoutMask, dropoutMask.shape != x.shape {
        throw TensorError.shapeMismatch(op: "linear", detail: "dropout mask \(dropoutMask.shape) for x \(x.shape)")
    }
    try checkNonEmpty("linear", x)
    let n = x.count / k
    let y = Tensor(uninitialized: Array(x.shape.dropLast()) + [out])
    // Base product (bias included).
    switch weight {
    case .f32(let w):
        if n == 1 { sgemv(rows: out, cols: k, a: w.data, lda: k, x: x.data, y: y.data) }
        else { sgemm(transB: true, m: n, n: out, k: k, a: x.data, lda: k, b: w.data, ldb: k, c: y.data, ldc: out) }
        if let bias { addRowBias(y.data, bias.data, rows: n, cols: out) }
    case .bf16(let w):
        bf16Linear(m: n, n: out, k: k, w: w.bits, x: x.data, bias: bias?.data, y: y.data)
    }
    // LoRA path: u = d(x)·Aᵀ; y += s·u·Bᵀ.
    var u: Storage?
    if let lora {
        let r = lora.a.shape[0]
        let xd = dropoutMask.map { masked(x, $0) }
        let input = xd?.pointer ?? x.data
        let saved = Storage(count: n * r, zeroed: false)
        sgemm(transB: true, m: n, n: r, k: k, a: input, lda: k, b: lora.a.data, ldb: k, c: saved.pointer, ldc: r)
        sgemm(transB: true, m: n, n: out, k: r, alpha: lora.scale, a: saved.pointer, lda: r, b: lora.b.data, ldb: r,
              beta: 1, c: y.data, ldc: out)
        u = saved
    }
    var inputs = [x] + (bias.map { [$0] } ?? []) + (lora.map { [$0.a, $0.b] } ?? [])
    if case .f32(let w) = weight { inputs.append(w) }
    return y.recorded(lora == nil ? "linear.frozen" : "linear.lora", inputs) { y in
        let g = y.gradBuffer()
        if let lora, let u {
            let r = lora.a.shape[0], s = lora.scale
            if lora.b.requiresGrad {   // dB[out, r] = s·gᵀ·u
                let db = lora.b.gradForAccumulation()
                sgemm(transA: true, m: out, n: r, k: n, alpha: s, a: g, lda: out, b: u.pointer, ldb: r, beta: db.beta, c: db.pointer, ldc: r)
            }
            let gu = Storage(count: n * r, zeroed: false)   // s·g·B  [N, r]
            sgemm(m: n, n: r, k: out, alpha: s, a: g, lda: out, b: lora.b.data, ldb: r, c: gu.pointer, ldc: r)
            if lora.a.requiresGrad {   // dA[r, in] = guᵀ·d(x)
                let xd = dropoutMask.map { masked(x, $0) }
                let da = lora.a.gradForAccumulation()
                sgemm(transA: true, m: r, n: k, k: n, a: gu.pointer, lda: r, b: xd?.pointer ?? x.data, ldb: k,
                      beta: da.beta, c: da.pointer, ldc: k)
            }
            if x.requiresGrad {   // dx += (gu·A) ⊙ mask
                if let dropoutMask {
                    let t = Storage(count: n * k, zeroed: false)
                    sgemm(m: n, n: k, k: r, a: gu.pointer, lda: r, b: lora.a.data, ldb: k, c: t.pointer, ldc: k)
                    let dx = x.gradBuffer(), m = dropoutMask.data
                    Parallel.forRange(n * k, grain: 1 << 15) { range in for i in range { dx[i] += t.pointer[i] * m[i] } }
                } else {
                    let dx = x.gradForAccumulation()
                    sgemm(m: n, n: k, k: r, a: gu.pointer, lda: r, b: lora.a.data, ldb: k, beta: dx.beta, c: dx.pointer, ldc: k)
                }
            }
        }
        if x.requiresGrad {   // dx += g·W
            let dx = x.gradForAccumulation()
            switch weight {
            case .f32(let w): sgemm(m: n, n: k, k: out, a: g, lda: out, b: w.data, ldb: k, beta: dx.beta, c: dx.pointer, ldc: k)
            case .bf16(let w): bf16InputGradient(m: n, n: out, k: k, w: w.bits, g: g, beta: dx.beta, dx: dx.pointer)
            }
        }
        if case .f32(let w) = weight, w.requiresGrad {   // dW[out, in] = gᵀ·x
            let dw = w.gradForAccumulation()
            sgemm(transA: true, m: out, n: k, k: n, a: g, lda: out, b: x.data, ldb: k, beta: dw.beta, c: dw.pointer, ldc: k)
        }
        if let bias, bias.requiresGrad {
            let gb = bias.gradBuffer()
            for row in 0..<n { addInto(gb, g + row * out, out) }
        }
    }
}

/// The trainable pair of a LoRA adapter on one linear layer: `a` `[r, in]`, `b` `[out, r]`, and
/// the scale `s = α / r` (PEFT `scaling`).
public struct LoRAWeights {
    public let a: Tensor
    public let b: Tensor
    public let scale: Float
    public init(a: Tensor, b: Tensor, scale: Float) {
        self.a = a
        self.b = b
        self.scale = scale
    }
}

/// `x ⊙ mask` into a fresh buffer.
private func masked(_ x: Tensor, _ mask: Tensor) -> Storage {
    let s = Storage(count: x.count, zeroed: false)
    let (o, a, m) = (s.pointer, x.data, mask.data)
    Parallel.forRange(x.count, grain: 1 << 15) { r in for i in r { o[i] = a[i] * m[i] } }
    return s
}

/// `y[i, j] += bias[j]` over `rows × cols`.
func addRowBias(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
    Parallel.forRange(rows, grain: 64) { r in for i in r { addInto(y + i * cols, bias, cols) } }
}

/// `dx = beta·dx + g·W` with `W` `[n, k]` in BF16, `g` `[m, n]`, `dx` `[m, k]`: each thread takes a
/// band of `dx`'s columns and, 128 rows of `W` at a time, widens that band of them into an f32 tile
/// and multiplies it in (`dx[:, band] += g[:, tile]·W[tile, band]`) — at most 128 × band floats
/// of `W` in f32 at once, and each weight widened once per call. With more than 8 rows and
/// ``BF16Gemm/isEnabled`` (`useKernel`), the AVX512-BF16 kernel instead (`g` rounded to bf16).
func bf16InputGradient(m: Int, n: Int, k: Int, w: UnsafePointer<UInt16>, g: UnsafePointer<Float>, beta: Float,
                       dx: UnsafeMutablePointer<Float>, useKernel: Bool = BF16Gemm.isEnabled) {
    if useKernel, m > 8 {
        return BF16Gemm.multiply(a: g, m: m, k: n, b: w, layout: .kn, n: k, beta: beta, c: dx)
    }
    let tile = 128
    Parallel.forRange(k, grain: 64) { cols in
        let width = cols.count
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: min(tile, n) * width)
        defer { buf.deallocate() }
        var lo = 0
        while lo < n {
            let cnt = min(tile, n - lo)
            for r in 0..<cnt { BF16.widen(w + (lo + r) * k + cols.lowerBound, into: buf + r * width, count: width) }
            sgemm(m: m, n: width, k: cnt, a: g + lo, lda: n, b: buf, ldb: width,
                  beta: lo == 0 ? beta : 1, c: dx + cols.lowerBound, ldc: k)
            lo += cnt
        }
    }
}
