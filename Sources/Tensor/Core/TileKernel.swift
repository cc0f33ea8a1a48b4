import CTile

/// The register-blocked micro-kernel of attention's tile products (issue 14 item 5).
///
/// Attention multiplies small tiles — 128 queries × 256 keys × D for the scores, 128 × D × 256 for
/// the values, and their transposes in backward — and OpenBLAS packs both operands on every such
/// call: with D = 64 that packing is about a third of the forward (`perf` on `safekey bench ops`).
/// Here, in the layout of BLIS's / llm.c's inner kernels, a 6 × 16 block of `C` lives in twelve AVX2
/// registers; each step broadcasts one element of each of six `A` rows (from a panel packed by
/// ``packRowPanels``, so the six loads share one pointer and no address register spills) and loads
/// one 16-float row of `B` where it lies (value or key rows, or a panel packed by ``packTransposed``).
///
/// `C[r, 0..<16] = alpha · Σ_{p < depth} A[r, p] · B[p, 0..<16]` (plus the old `C` when
/// `accumulate`) for `r < rows ≤ 6`; `A[r, p]` is `panel[6p + r]`, row `p` of `B` at `b + p·ldb`,
/// row `r` of `C` at `c + r·ldc`. Rows past `rows` are zero in the panel and not stored.
@inline(__always)
func tileKernel6x16(depth: Int, panel: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int,
                    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, alpha: Float, accumulate: Bool) {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    var c00 = SIMD8<Float>(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00
    var c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00
    var bp = b, ap = panel
    for _ in 0..<depth {
        let b0 = load(bp), b1 = load(bp + 8)
        var x = SIMD8<Float>(repeating: ap[0])
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = SIMD8<Float>(repeating: ap[1])
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = SIMD8<Float>(repeating: ap[2])
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = SIMD8<Float>(repeating: ap[3])
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = SIMD8<Float>(repeating: ap[4])
        c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = SIMD8<Float>(repeating: ap[5])
        c50.addProduct(x, b0); c51.addProduct(x, b1)
        bp += ldb
        ap += 6
    }
    @inline(__always) func store(_ row: Int, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>) {
        let p = UnsafeMutableRawPointer(c + row * ldc)
        var lo = lo * alpha, hi = hi * alpha
        if accumulate {
            lo += p.loadUnaligned(fromByteOffset: 0, as: SIMD8<Float>.self)
            hi += p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        }
        p.storeBytes(of: lo, toByteOffset: 0, as: SIMD8<Float>.self)
        p.storeBytes(of: hi, toByteOffset: 32, as: SIMD8<Float>.self)
    }
    store(0, c00, c01)
    if rows > 1 { store(1, c10, c11) }
    if rows > 2 { store(2, c20, c21) }
    if rows > 3 { store(3, c30, c31) }
    if rows > 4 { store(4, c40, c41) }
    if rows > 5 { store(5, c50, c51) }
}

/// Floats of the `A` panels ``tileGemm`` packs for `rows × depth`: `⌈rows/12⌉ · 12 · depth`
/// (enough for either kernel's panels: 6 rows for the Swift kernel, 12 for the AVX-512 one).
func tileGemmPackCount(rows: Int, depth: Int) -> Int { (rows + 11) / 12 * 12 * depth }

/// Packs `A[rows × depth]` (strides as ``packRowPanels``) into the row panels of the kernel that
/// ``tileGemm`` will run (``AttentionKernel/current``): 12-row panels for `avx512`, 6-row otherwise.
@inline(__always)
func packTileRows(_ a: UnsafePointer<Float>, rows: Int, depth: Int, aRow: Int, aCol: Int, into panels: UnsafeMutablePointer<Float>) {
    if AttentionKernel.current == .avx512 {
        sk_tile_pack_rows(a, Int32(rows), Int32(depth), aRow, aCol, panels)
    } else {
        packRowPanels(a, rows: rows, depth: depth, aRow: aRow, aCol: aCol, into: panels)
    }
}

/// Packs `A[rows × depth]` (`A[r, p]` at `a + r·aRow + p·aCol`: any strides, so query rows,
/// probability rows and their transposes all pack the same way) into panels of six rows,
/// `panels[q·6·depth + 6p + i] = A[6q + i, p]`, rows past `rows` zero.
func packRowPanels(_ a: UnsafePointer<Float>, rows: Int, depth: Int, aRow: Int, aCol: Int, into panels: UnsafeMutablePointer<Float>) {
    var q = 0
    while q * 6 < rows {
        let dst = panels + q * 6 * depth, live = min(6, rows - q * 6), base = a + q * 6 * aRow
        if live == 6 && aRow == 1 {            // A transposed: six consecutive floats per step
            for p in 0..<depth {
                let src = base + p * aCol, out = dst + 6 * p
                out[0] = src[0]; out[1] = src[1]; out[2] = src[2]; out[3] = src[3]; out[4] = src[4]; out[5] = src[5]
            }
        } else if live == 6 {                  // six row streams read side by side, stores in order
            let r0 = base, r1 = r0 + aRow, r2 = r1 + aRow, r3 = r2 + aRow, r4 = r3 + aRow, r5 = r4 + aRow
            var o = 0
            for p in 0..<depth {
                let x = p * aCol
                dst[o] = r0[x]; dst[o + 1] = r1[x]; dst[o + 2] = r2[x]; dst[o + 3] = r3[x]; dst[o + 4] = r4[x]; dst[o + 5] = r5[x]
                o += 6
            }
        } else {
            for p in 0..<depth {
                for i in 0..<6 { dst[6 * p + i] = i < live ? base[i * aRow + p * aCol] : 0 }
            }
        }
        q += 1
    }
}

/// `C[rows × n] (+)= alpha · A[rows × depth] · B[depth × n]` by ``tileKernel6x16`` blocks, for
/// `n % 16 == 0`. `A` is packed once into `scratch` (``tileGemmPackCount(rows:depth:)`` floats) by
/// ``packRowPanels`` — or, with `aIsPacked`, `scratch` already holds those panels (a query block
/// reused over every key tile); then column panels of 16 outermost, so one panel of `B` (`depth × 16` floats)
/// stays in L1 while every 6-row block of `A` passes over it. `B`'s columns `16q ..< 16q + 16` of
/// row `p` are at `b + q·panelStride + p·ldb` (`panelStride = 16` for rows of a plain row-major
/// matrix, `16 · depth` for panels packed by ``packTransposed``); row `r` of `C` at `c + r·ldc`.
///
/// With ``AttentionKernel/current`` `== .avx512` the blocks are 12 × 32 on CTile's kernel (`A` in
/// 12-row panels, packed by ``packTileRows``); each element's sum runs in the same order, so both
/// kernels give the same bits.
func tileGemm(rows: Int, n: Int, depth: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
              b: UnsafePointer<Float>, ldb: Int, panelStride: Int,
              c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, accumulate: Bool, scratch: UnsafeMutablePointer<Float>,
              aIsPacked: Bool = false, causal: CausalTile = .none) {
    precondition(n % 16 == 0, "tileGemm: n = \(n) must be a multiple of 16")
    if !aIsPacked { packTileRows(a, rows: rows, depth: depth, aRow: aRow, aCol: aCol, into: scratch) }
    if AttentionKernel.current == .avx512 {
        let (kind, last) = causal.ctile
        sk_tile_gemm_avx512(Int32(rows), Int32(n), Int32(depth), scratch, 12 * depth, 12, b, ldb, panelStride,
                            c, ldc, alpha, accumulate ? 1 : 0, kind, Int32(last))
        return
    }
    var q = 0
    while q * 16 < n {
        let bq = b + q * panelStride, cq = c + q * 16
        var r = 0
        while r < rows {
            var k = depth
            switch causal {
            case .none: break
            case let .columns(last): if q * 16 > last + r + 5 { r += 6; continue }   // every row of the block masks these
            case let .depth(last): k = max(0, min(depth, last + r + 6))              // later terms are exact zeros
            case .depthFrom: preconditionFailure("tileGemm: depthFrom is for tileGemmTransposedA")
            }
            tileKernel6x16(depth: k, panel: scratch + r * depth, b: bq, ldb: ldb,
                           c: cq + r * ldc, ldc: ldc, rows: min(6, rows - r), alpha: alpha, accumulate: accumulate)
            r += 6
        }
        q += 1
    }
}

/// What a causal tile lets ``tileGemm`` skip. Row `r` of the tile sees columns (keys) `0 ... last + r`.
enum CausalTile {
    case none
    /// `C`'s columns are keys: a 16-column panel past every row's last visible key is not computed
    /// (the caller masks those entries to −∞ without reading them).
    case columns(last: Int)
    /// The product's depth runs over keys whose `A` entries (probabilities) are exactly 0 past
    /// each row's last visible key: each 6-row block stops after its last row's last visible key.
    case depth(last: Int)
    /// `A`'s rows are keys and the depth runs over queries (`Pᵀ·dO`, `dSᵀ·Q`): key row `r` is seen
    /// from query `r − last` on, so each row block starts there (``tileGemmTransposedA`` only).
    case depthFrom(last: Int)

    /// CTile's `causal` and `last` arguments.
    var ctile: (Int32, Int) {
        switch self {
        case .none: return (Int32(SK_TILE_FULL), 0)
        case let .columns(last): return (Int32(SK_TILE_COLUMNS), last)
        case let .depth(last): return (Int32(SK_TILE_DEPTH_TO), last)
        case let .depthFrom(last): return (Int32(SK_TILE_DEPTH_FROM), last)
        }
    }
}

/// `C[rows × n] (+)= alpha · Mᵀ · B` on the AVX-512 kernel, `M[depth × rows]` row-major at stride
/// `ldm` read in place (its rows are the product's depth; no packing), `B[depth × n]` row-major at
/// stride `ldb`, `n % 16 == 0`; row `r` of `C` at `c + r·ldc`. Attention's backward uses it for
/// `dV += Pᵀ·dO` and `dK += scale·dSᵀ·Q`. Needs ``AttentionKernel/avx512Available``.
func tileGemmTransposedA(rows: Int, n: Int, depth: Int, m: UnsafePointer<Float>, ldm: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                         alpha: Float, accumulate: Bool, causal: CausalTile = .none) {
    precondition(n % 16 == 0 && AttentionKernel.avx512Available, "tileGemmTransposedA: n = \(n), AVX-512 \(AttentionKernel.avx512Available)")
    let (kind, last) = causal.ctile
    sk_tile_gemm_avx512(Int32(rows), Int32(n), Int32(depth), m, 12, ldm, b, ldb, 16, c, ldc, alpha, accumulate ? 1 : 0,
                        kind, Int32(last))
}

/// Packs `count` rows of `width` floats (row `j` at `src + j·stride`) into panels of 16 rows,
/// transposed: `dst[q·width·16 + c·16 + i] = src[(16q + i)·stride + c]`, the rows past `count` in the
/// last panel zero. Key and value tiles become `B` operands of ``tileGemm`` (`ldb = 16`,
/// `panelStride = width · 16`) for `Q·Kᵀ` and `dO·Vᵀ`. `dst` holds `⌈count/16⌉ · 16 · width` floats.
func packTransposed(_ src: UnsafePointer<Float>, count: Int, width: Int, stride: Int, into dst: UnsafeMutablePointer<Float>) {
    let panels = (count + 15) / 16
    for q in 0..<panels {
        let panel = dst + q * width * 16
        let live = min(16, count - q * 16)
        for i in 0..<live {
            let row = src + (q * 16 + i) * stride
            for c in 0..<width { panel[c * 16 + i] = row[c] }
        }
        if live < 16 { for c in 0..<width { for i in live..<16 { panel[c * 16 + i] = 0 } } }
    }
}
