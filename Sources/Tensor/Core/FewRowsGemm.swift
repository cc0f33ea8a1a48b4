/// `C = A · Wᵀ` for a few rows of `A` — the batched decoding step of continuous batching, where
/// `A` holds one row per sequence (`m ≤ fewRowsLimit`) and `W` is an `nn.Linear` weight `[n, k]`.
///
/// OpenBLAS packs both operands on every call; at `m = 32`, `k = 128` that packing took a third of
/// the GEMM time (`safekey bench decode --profile`, `perf`: `sgemm_incopy`). Here each block of
/// four weight rows is read once and multiplied, straight from memory, against every row of `A`
/// (which stays in L1), two rows at a time: eight SIMD8 accumulators over `k`, then one horizontal
/// sum per output. Columns are shared out over `Parallel.threads` when the product is large enough.
///
/// Shapes: `a` `[m, k]` (row stride `k`), `w` `[n, k]` (row stride `k`), `c` `[m, n]` (row stride
/// `n`), overwritten. Requires `k % 8 == 0` (callers fall back to `sgemm` otherwise).
func sgemmFewRowsNT(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, w: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    precondition(k % 8 == 0 && m >= 1 && m <= fewRowsLimit, "sgemmFewRowsNT: needs 1 ≤ m ≤ \(fewRowsLimit) and k % 8 == 0")
    let blocks = (n + 3) / 4
    let grain = m * n * k < 1 << 18 ? blocks : max(1, blocks / Parallel.threads)
    Parallel.forRange(blocks, grain: grain) { r in
        fewRowsColumns(m: m, n: n, k: k, a: a, w: w, c: c, from: r.lowerBound * 4, to: min(n, r.upperBound * 4))
    }
}

/// Most rows of `A` for which `matmul` takes ``sgemmFewRowsNT`` instead of `sgemm`.
let fewRowsLimit = 48

/// Columns `j0..<j1` of `C` (see ``sgemmFewRowsNT``).
private func fewRowsColumns(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, w: UnsafePointer<Float>,
                            c: UnsafeMutablePointer<Float>, from j0: Int, to j1: Int) {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    var j = j0
    while j + 4 <= j1 {
        let w0 = w + j * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k
        var i = 0
        while i + 2 <= m {
            let x = a + i * k, y = x + k
            var c00 = SIMD8<Float>(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00
            var p = 0
            while p < k {
                let x0 = load(x + p), x1 = load(y + p)
                let v0 = load(w0 + p), v1 = load(w1 + p), v2 = load(w2 + p), v3 = load(w3 + p)
                c00.addProduct(x0, v0); c01.addProduct(x0, v1); c02.addProduct(x0, v2); c03.addProduct(x0, v3)
                c10.addProduct(x1, v0); c11.addProduct(x1, v1); c12.addProduct(x1, v2); c13.addProduct(x1, v3)
                p += 8
            }
            let r0 = c + i * n + j, r1 = r0 + n
            r0[0] = c00.sum(); r0[1] = c01.sum(); r0[2] = c02.sum(); r0[3] = c03.sum()
            r1[0] = c10.sum(); r1[1] = c11.sum(); r1[2] = c12.sum(); r1[3] = c13.sum()
            i += 2
        }
        if i < m {
            let x = a + i * k
            var c0 = SIMD8<Float>(), c1 = c0, c2 = c0, c3 = c0
            var p = 0
            while p < k {
                let x0 = load(x + p)
                c0.addProduct(x0, load(w0 + p)); c1.addProduct(x0, load(w1 + p)); c2.addProduct(x0, load(w2 + p)); c3.addProduct(x0, load(w3 + p))
                p += 8
            }
            let r0 = c + i * n + j
            r0[0] = c0.sum(); r0[1] = c1.sum(); r0[2] = c2.sum(); r0[3] = c3.sum()
        }
        j += 4
    }
    while j < j1 {   // the last n % 4 columns
        let wj = w + j * k
        for i in 0..<m {
            var acc = SIMD8<Float>()
            var p = 0
            while p < k { acc.addProduct(load(a + i * k + p), load(wj + p)); p += 8 }
            c[i * n + j] = acc.sum()
        }
        j += 1
    }
}
