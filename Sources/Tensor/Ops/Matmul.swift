/// Matrix multiplication through BLAS, forward and backward.
///
/// `matmul(a, b)`: `a` is `[..., M, K]`; `b` is either `[K, N]` (shared across the batch, the
/// common `x · W` case, done as one GEMM over all rows) or `[..., K, N]` with the same leading
/// dimensions as `a` (batched). With `transposeB`, `b` holds `[N, K]` (resp. `[..., N, K]`) and the
/// product is `a · bᵀ` — the layout of Hugging Face `nn.Linear` weights `[out, in]`.
/// Result: `[..., M, N]`.
public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) throws -> Tensor {
    guard a.rank >= 2, b.rank >= 2 else {
        throw TensorError.shapeMismatch(op: "matmul", detail: "a \(a.shape), b \(b.shape); both need rank ≥ 2")
    }
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
    let bk = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
    let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
    let batchA = Array(a.shape.dropLast(2))
    let shared = b.rank == 2
    guard bk == k, shared || Array(b.shape.dropLast(2)) == batchA else {
        throw TensorError.shapeMismatch(op: "matmul", detail: "a \(a.shape), b \(b.shape)\(transposeB ? " (transposed)" : ""); inner dimensions or batch dimensions differ")
    }
    try checkNonEmpty("matmul", a, b)
    let batch = batchA.reduce(1, *)
    let out = Tensor(uninitialized: batchA + [m, n])
    let ldb = transposeB ? k : n
    if shared && batch * m == 1 {
        // One row (a decode step): GEMV streams the weights once; GEMM would first pack them.
        sgemv(trans: !transposeB, rows: transposeB ? n : k, cols: transposeB ? k : n, a: b.data, lda: ldb, x: a.data, y: out.data)
    } else if shared && transposeB && batch * m <= fewRowsLimit && k % 8 == 0 {
        // A few rows (a batched decode step): no packing (FewRowsGemm.swift).
        sgemmFewRowsNT(m: batch * m, n: n, k: k, a: a.data, w: b.data, c: out.data)
    } else if shared {
        sgemm(transB: transposeB, m: batch * m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: ldb, c: out.data, ldc: n)
    } else {
        for i in 0..<batch {
            sgemm(transB: transposeB, m: m, n: n, k: k, a: a.data + i * m * k, lda: k,
                  b: b.data + i * k * n, ldb: ldb, c: out.data + i * m * n, ldc: n)
        }
    }
    return out.recorded("matmul", [a, b]) { out in
        let g = out.gradBuffer()
        let rows = shared ? batch * m : m, reps = shared ? 1 : batch
        // Fresh gradient buffers are written with beta 0 (no zero fill); existing ones accumulate.
        let gradA = a.requiresGrad ? a.gradForAccumulation() : nil
        let gradB = b.requiresGrad ? b.gradForAccumulation() : nil
        for i in 0..<reps {
            let gi = g + i * m * n, ai = a.data + i * m * k, bi = b.data + (shared ? 0 : i * k * n)
            if let gradA {
                // dA = dC · Bᵀ   (B is [K,N]);  dA = dC · B  (B stored [N,K]).
                sgemm(transB: !transposeB, m: rows, n: k, k: n, a: gi, lda: n, b: bi, ldb: ldb,
                      beta: gradA.beta, c: gradA.pointer + i * m * k, ldc: k)
            }
            if let gradB {
                let gb = gradB.pointer + (shared ? 0 : i * k * n)
                if transposeB {   // dB[N,K] = dCᵀ · A
                    sgemm(transA: true, m: n, n: k, k: rows, a: gi, lda: n, b: ai, ldb: k, beta: gradB.beta, c: gb, ldc: k)
                } else {          // dB[K,N] = Aᵀ · dC
                    sgemm(transA: true, m: k, n: n, k: rows, a: ai, lda: k, b: gi, ldb: n, beta: gradB.beta, c: gb, ldc: n)
                }
            }
        }
    }
}

/// `x · Wᵀ + bias` — Hugging Face `nn.Linear` with `weight` `[out, in]`, `bias` `[out]`;
/// `x` is `[..., in]`, result `[..., out]`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    guard x.rank >= 1, weight.rank == 2, x.shape.last == weight.shape[1] else {
        throw TensorError.shapeMismatch(op: "linear", detail: "x \(x.shape), weight \(weight.shape); weight must be [out, x.shape.last]")
    }
    let rows = x.count / max(weight.shape[1], 1)
    let x2 = try x.reshaped([rows, weight.shape[1]])
    var y = try matmul(x2, weight, transposeB: true)
    if let bias { y = try addBias(y, bias) }
    return try y.reshaped(Array(x.shape.dropLast()) + [weight.shape[0]])
}
