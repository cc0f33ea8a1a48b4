import CTile
import Foundation

/// Causal grouped-query self-attention with an optional key mask — memory-efficient (tiled,
/// online softmax, flash-attention style), forward and backward.
///
/// Shapes: `q` `[B, Tq, Hq, D]`, `k` and `v` `[B, Tk, Hkv, D]` with `Hq` a multiple of `Hkv`
/// (query head `h` reads key/value head `h / (Hq/Hkv)`, as transformers' `repeat_kv`).
/// Queries are the **last** `Tq` of the `Tk` positions: key `j` is visible to query `i` iff
/// `j ≤ Tk − Tq + i` (causal) and `hiddenKeys[b·Tk + j]` is false. So training passes `Tq == Tk`
/// and a KV-cache decode step passes the cached keys. `hiddenKeys` is the Hugging Face 2-D
/// `attention_mask` inverted (true = hidden as a key from every query); SafeKey's Query-Mask
/// Modeling hides the prompt this way. Scores are scaled by `scale` (default `1/√D`).
/// A query that sees no key at all gets an output of zeros (transformers leaves such rows
/// unspecified). Result: `[B, Tq, Hq, D]`.
///
/// Memory: forward keeps, per head, only the output and one log-sum-exp per query (`O(T)`), plus a
/// `128×256` score tile and a `128×D` accumulator per task; it never forms the `T×T` score matrix.
/// Backward recomputes each score tile from `q`, `k` and the saved log-sum-exp (FlashAttention-2,
/// Dao 2023, Algorithm 2), so it too needs no `T×T` buffer. When `D` is a multiple of 16 the
/// products whose left operand is reused over a whole block — forward's `Q·Kᵀ` and `P·V`, backward's
/// recomputed `Q·Kᵀ` and `dO·Vᵀ` — run on ``tileGemm`` (TileKernel.swift: a 6 × 16 register block,
/// or CTile's 12 × 32 AVX-512 block where the CPU has it; query rows packed once per block,
/// key/value tiles packed into 16-key panels, causal panels skipped). Backward's `dV`, `dQ`, `dK`
/// products run on the AVX-512 kernel too (`Pᵀ`, `dSᵀ` read in place), else on `sgemm`, as does
/// every product for other `D`. See ``AttentionKernel``.
public func attention(q: Tensor, k: Tensor, v: Tensor, hiddenKeys: [Bool]? = nil, scale: Float? = nil) throws -> Tensor {
    guard q.rank == 4, k.rank == 4, k.shape == v.shape, q.shape[0] == k.shape[0], q.shape[3] == k.shape[3],
          k.shape[2] > 0, q.shape[2] % k.shape[2] == 0, q.shape[1] <= k.shape[1] else {
        throw TensorError.shapeMismatch(op: "attention", detail: "q \(q.shape), k \(k.shape), v \(v.shape); need q [B,Tq,Hq,D], k = v [B,Tk,Hkv,D], Hq % Hkv == 0, Tq ≤ Tk")
    }
    try checkNonEmpty("attention", q, k)
    let dims = AttentionDims(b: q.shape[0], tq: q.shape[1], tk: k.shape[1], hq: q.shape[2], hkv: k.shape[2],
                             d: q.shape[3], scale: scale ?? 1 / Float(q.shape[3]).squareRoot())
    if let hiddenKeys, hiddenKeys.count != dims.b * dims.tk {
        throw TensorError.shapeMismatch(op: "attention", detail: "hiddenKeys has \(hiddenKeys.count) entries; needs B·Tk = \(dims.b * dims.tk)")
    }
    let mask = KeyMask(hiddenKeys, count: dims.b * dims.tk)
    let out = Tensor(zeros: q.shape)
    let lse = SavedBuffer(count: dims.b * dims.hq * dims.tq)
    let qBlocks = (dims.tq + tile - 1) / tile
    Parallel.forEach(dims.b * dims.hq * qBlocks) { task in
        let blk = task % qBlocks, bh = task / qBlocks
        if dims.tq == 1 {   // a decoding step: no tiles (AttentionDecode.swift)
            attentionForwardSingleQuery(q.data, k.data, v.data, out.data, lse.pointer, mask, dims, b: bh / dims.hq, h: bh % dims.hq)
            return
        }
        attentionForwardTile(q.data, k.data, v.data, out.data, lse.pointer, mask, dims,
                             b: bh / dims.hq, h: bh % dims.hq, i0: blk * tile)
    }
    return out.recorded("attention", [q, k, v]) { out in
        attentionBackward(q: q, k: k, v: v, out: out, lse: lse.pointer, mask: mask, dims: dims)
    }
}

/// Tile edges: 128 queries × 256 keys. Large tiles make each `sgemm` (128×256×D scores,
/// 128×D×256 products, and K = 128 for the dK/dV products) big enough to run near BLAS speed;
/// the scratch stays at 256 KiB per task (`safekey bench train --shape small --seq-len 2048
/// --profile`: attention 1.63–1.77 s a step with 64-query tiles, 1.46–1.55 s with 128).
private let tile = 128
private let kTile = 256
/// Floats of ``tileGemm``'s packed `A` for the probability tile (128 queries × 256 keys).
private let tilePackCount = tileGemmPackCount(rows: tile, depth: kTile)

/// Whether the tile products run on ``tileGemm`` (head dims that are multiples of 16: 64 and 128
/// in the paper's models, 32 in the world model) rather than `sgemm`.
@inline(__always)
func usesTileKernel(_ d: Int) -> Bool { d % 16 == 0 && AttentionKernel.current != .blas }

/// What multiplies attention's tiles: the AVX-512 12 × 32 kernel (`avx512`, CTile; the default
/// where the CPU has AVX-512, which also runs softmax's exp passes — `expShiftSum`, everywhere —
/// 16 lanes at a time with the same bits), the portable Swift 6 × 16 kernel (`tile`; the default elsewhere), or
/// OpenBLAS's `sgemm` (`blas`). `SAFEKEY_ATTENTION_KERNEL=avx512|tile|blas` picks one (`avx512` on a
/// CPU without it falls back to `tile`). Process-wide; set it before any attention runs — it exists
/// so that `safekey bench ops` and the tests can compare the paths.
public enum AttentionKernel: String, Sendable {
    case avx512, tile, blas
    /// Whether this CPU runs the `avx512` kernel.
    public static let avx512Available = sk_tile_avx512_available() != 0
    /// The fastest kernel this CPU runs.
    public static var best: AttentionKernel { avx512Available ? .avx512 : .tile }
    nonisolated(unsafe) public static var current: AttentionKernel = {
        switch ProcessInfo.processInfo.environment["SAFEKEY_ATTENTION_KERNEL"] {
        case "blas": return .blas
        case "tile": return .tile
        default: return best
        }
    }()
}

struct AttentionDims {
    let b, tq, tk, hq, hkv, d: Int
    let scale: Float
    var group: Int { hq / hkv }
    var offset: Int { tk - tq }
    /// Row strides of q/out and of k/v.
    var qStride: Int { hq * d }
    var kStride: Int { hkv * d }
}

/// Hidden-key flags as a byte buffer (shared by forward and backward).
final class KeyMask {
    let hidden: UnsafeMutablePointer<Bool>?
    init(_ keys: [Bool]?, count: Int) {
        if let keys {
            hidden = .allocate(capacity: count)
            keys.withUnsafeBufferPointer { hidden!.initialize(from: $0.baseAddress!, count: count) }
        } else { hidden = nil }
    }
    deinit { hidden?.deallocate() }
}

/// Fills the score tile `s[rows × cols]` (already scaled by sgemm) with `-inf` where the key is
/// not visible; returns nothing. `i0`/`j0` are the first query/key indices of the tile.
@inline(__always)
private func maskTile(_ s: UnsafeMutablePointer<Float>, rows: Int, cols: Int, i0: Int, j0: Int,
                      dims: AttentionDims, hidden: UnsafeMutablePointer<Bool>?) {
    for r in 0..<rows {
        let limit = dims.offset + i0 + r      // last visible key (causal)
        let row = s + r * kTile
        let visible = min(cols, max(0, limit - j0 + 1))   // columns 0..<visible pass the causal test
        for c in visible..<cols { row[c] = -.infinity }
        if let hidden { for c in 0..<visible where hidden[j0 + c] { row[c] = -.infinity } }
    }
}

/// Forward for one (batch, query head, block of up to 128 queries).
private func attentionForwardTile(_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>,
                                  _ v: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                  _ lse: UnsafeMutablePointer<Float>, _ mask: KeyMask, _ dims: AttentionDims,
                                  b: Int, h: Int, i0: Int) {
    let d = dims.d, rows = min(tile, dims.tq - i0), kvh = h / dims.group
    let packed = usesTileKernel(d)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tile * kTile + tile * d + 2 * tile
                                                       + (packed ? kTile * d + tilePackCount + tileGemmPackCount(rows: tile, depth: d) : 0))
    defer { scratch.deallocate() }
    let s = scratch, acc = scratch + tile * kTile, m = acc + tile * d, l = m + tile, kPanels = l + tile, aPanels = kPanels + kTile * d
    let qPanels = aPanels + tilePackCount
    acc.initialize(repeating: 0, count: tile * d)
    m.initialize(repeating: -.infinity, count: tile)
    l.initialize(repeating: 0, count: tile)
    let hidden = mask.hidden.map { $0 + b * dims.tk }
    let qBase = q + ((b * dims.tq + i0) * dims.hq + h) * d
    let kBase = k + (b * dims.tk * dims.hkv + kvh) * d, vBase = v + (b * dims.tk * dims.hkv + kvh) * d
    let lastKey = min(dims.tk, dims.offset + i0 + rows)   // keys beyond are invisible to every row
    if packed { packTileRows(qBase, rows: rows, depth: d, aRow: dims.qStride, aCol: 1, into: qPanels) }   // once for all key tiles
    var j0 = 0
    while j0 < lastKey {
        let cols = min(kTile, lastKey - j0)
        if packed {   // S = scale · Q Kᵀ with the key tile packed into 16-key panels
            packTransposed(kBase + j0 * dims.kStride, count: cols, width: d, stride: dims.kStride, into: kPanels)
            tileGemm(rows: rows, n: (cols + 15) & ~15, depth: d, a: qBase, aRow: dims.qStride, aCol: 1, b: kPanels, ldb: 16,
                     panelStride: 16 * d, c: s, ldc: kTile, alpha: dims.scale, accumulate: false, scratch: qPanels, aIsPacked: true,
                     causal: .columns(last: dims.offset + i0 - j0))
        } else {
            sgemm(transB: true, m: rows, n: cols, k: d, alpha: dims.scale, a: qBase, lda: dims.qStride,
                  b: kBase + j0 * dims.kStride, ldb: dims.kStride, c: s, ldc: kTile)
        }
        maskTile(s, rows: rows, cols: cols, i0: i0, j0: j0, dims: dims, hidden: hidden)
        for r in 0..<rows {
            let row = s + r * kTile
            let mx = max(m[r], maxOf(row, cols))
            if mx == -.infinity { for c in 0..<cols { row[c] = 0 }; continue }
            let correction = m[r] == -.infinity ? 0 : expf(m[r] - mx)
            let sum = expShiftSum(row, row, cols, shift: mx)   // masked (−∞) entries become 0
            l[r] = l[r] * correction + sum
            m[r] = mx
            if correction != 1 { let a = acc + r * d; for x in 0..<d { a[x] *= correction } }
        }
        if packed {   // acc += P · V, value rows read in place
            tileGemm(rows: rows, n: d, depth: cols, a: s, aRow: kTile, aCol: 1, b: vBase + j0 * dims.kStride, ldb: dims.kStride,
                     panelStride: 16, c: acc, ldc: d, alpha: 1, accumulate: true, scratch: aPanels,
                     causal: .depth(last: dims.offset + i0 - j0))
        } else {
            sgemm(m: rows, n: d, k: cols, a: s, lda: kTile, b: vBase + j0 * dims.kStride, ldb: dims.kStride,
                  beta: 1, c: acc, ldc: d)
        }
        j0 += kTile
    }
    for r in 0..<rows {
        let orow = o + ((b * dims.tq + i0 + r) * dims.hq + h) * d
        let li = lse + (b * dims.hq + h) * dims.tq + i0 + r
        if l[r] == 0 { li.pointee = .infinity; continue }   // no visible key: output stays 0
        let inv = 1 / l[r]
        for x in 0..<d { orow[x] = acc[r * d + x] * inv }
        li.pointee = m[r] + logf(l[r])
    }
}

/// Backward by recomputation, parallel over (batch, key/value head) so that each task owns its
/// `dK`/`dV` rows and the `dQ` rows of its query heads (no write races).
private func attentionBackward(q: Tensor, k: Tensor, v: Tensor, out: Tensor, lse: UnsafeMutablePointer<Float>,
                               mask: KeyMask, dims: AttentionDims) {
    let dO = out.gradBuffer(), o = out.data
    let dq = q.requiresGrad ? q.gradBuffer() : nil
    let dk = k.requiresGrad ? k.gradBuffer() : nil
    let dv = v.requiresGrad ? v.gradBuffer() : nil
    let d = dims.d
    // D_i = rowsum(dO_i ⊙ O_i), per (b, h, i).
    let delta = SavedBuffer(count: dims.b * dims.hq * dims.tq)
    for b in 0..<dims.b { for i in 0..<dims.tq { for h in 0..<dims.hq {
        let off = ((b * dims.tq + i) * dims.hq + h) * d
        delta.pointer[(b * dims.hq + h) * dims.tq + i] = dot(dO + off, o + off, d)
    } } }
    Parallel.forEach(dims.b * dims.hkv) { task in
        let b = task / dims.hkv, kvh = task % dims.hkv
        let packed = usesTileKernel(d)
        let blockPack = tileGemmPackCount(rows: tile, depth: d)
        let wide = packed && AttentionKernel.current == .avx512   // every product on the AVX-512 kernel
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * tile * kTile + (packed ? 2 * kTile * d + 2 * blockPack : 0)
                                                           + (wide ? tilePackCount : 0))
        defer { scratch.deallocate() }
        let p = scratch, dp = scratch + tile * kTile, kPanels = dp + tile * kTile, vPanels = kPanels + kTile * d
        let qPanels = vPanels + kTile * d, dOPanels = qPanels + blockPack, dSPanels = dOPanels + blockPack
        let hidden = mask.hidden.map { $0 + b * dims.tk }
        let kBase = k.data + (b * dims.tk * dims.hkv + kvh) * d, vBase = v.data + (b * dims.tk * dims.hkv + kvh) * d
        for h in kvh * dims.group..<(kvh + 1) * dims.group {
            var i0 = 0
            while i0 < dims.tq {
                let rows = min(tile, dims.tq - i0)
                let qOff = ((b * dims.tq + i0) * dims.hq + h) * d
                let lseRow = lse + (b * dims.hq + h) * dims.tq + i0
                let deltaRow = delta.pointer + (b * dims.hq + h) * dims.tq + i0
                let lastKey = min(dims.tk, dims.offset + i0 + rows)
                if packed {   // this block's queries and output gradients, once for all key tiles
                    packTileRows(q.data + qOff, rows: rows, depth: d, aRow: dims.qStride, aCol: 1, into: qPanels)
                    packTileRows(dO + qOff, rows: rows, depth: d, aRow: dims.qStride, aCol: 1, into: dOPanels)
                }
                var j0 = 0
                while j0 < lastKey {
                    let cols = min(kTile, lastKey - j0)
                    let kj = kBase + j0 * dims.kStride, vj = vBase + j0 * dims.kStride
                    let dvTile = dv.map { $0 + (b * dims.tk * dims.hkv + kvh) * d + j0 * dims.kStride }
                    let dkTile = dk.map { $0 + (b * dims.tk * dims.hkv + kvh) * d + j0 * dims.kStride }
                    if packed {
                        packTransposed(kj, count: cols, width: d, stride: dims.kStride, into: kPanels)
                        packTransposed(vj, count: cols, width: d, stride: dims.kStride, into: vPanels)
                    }
                    // P = exp(scale · Q Kᵀ − L), zero where hidden.
                    if packed {
                        tileGemm(rows: rows, n: (cols + 15) & ~15, depth: d, a: q.data + qOff, aRow: dims.qStride, aCol: 1,
                                 b: kPanels, ldb: 16, panelStride: 16 * d, c: p, ldc: kTile, alpha: dims.scale, accumulate: false,
                                 scratch: qPanels, aIsPacked: true, causal: .columns(last: dims.offset + i0 - j0))
                    } else {
                        sgemm(transB: true, m: rows, n: cols, k: d, alpha: dims.scale, a: q.data + qOff, lda: dims.qStride,
                              b: kj, ldb: dims.kStride, c: p, ldc: kTile)
                    }
                    maskTile(p, rows: rows, cols: cols, i0: i0, j0: j0, dims: dims, hidden: hidden)
                    for r in 0..<rows {
                        // exp(−∞ − L) = 0 for hidden keys; L = +∞ (no visible key) gives 0 too.
                        let row = p + r * kTile
                        _ = expShiftSum(row, row, cols, shift: lseRow[r])
                    }
                    let last = dims.offset + i0 - j0   // row r of the tile sees keys up to last + r
                    // dV += Pᵀ · dO (AVX-512: Pᵀ read in place; the Swift kernel's packing of Pᵀ cost more than it saved)
                    if let dvTile, wide {
                        tileGemmTransposedA(rows: cols, n: d, depth: rows, m: p, ldm: kTile, b: dO + qOff, ldb: dims.qStride,
                                            c: dvTile, ldc: dims.kStride, alpha: 1, accumulate: true, causal: .depthFrom(last: last))
                    } else if let dvTile {
                        sgemm(transA: true, m: cols, n: d, k: rows, a: p, lda: kTile, b: dO + qOff, ldb: dims.qStride,
                              beta: 1, c: dvTile, ldc: dims.kStride)
                    }
                    // dP = dO · Vᵀ ; dS = P ⊙ (dP − D)
                    if packed {
                        tileGemm(rows: rows, n: (cols + 15) & ~15, depth: d, a: dO + qOff, aRow: dims.qStride, aCol: 1,
                                 b: vPanels, ldb: 16, panelStride: 16 * d, c: dp, ldc: kTile, alpha: 1, accumulate: false,
                                 scratch: dOPanels, aIsPacked: true)   // every column: dS reads them all
                    } else {
                        sgemm(transB: true, m: rows, n: cols, k: d, a: dO + qOff, lda: dims.qStride, b: vj, ldb: dims.kStride,
                              c: dp, ldc: kTile)
                    }
                    for r in 0..<rows {
                        let pr = p + r * kTile, dr = dp + r * kTile, dl = deltaRow[r]
                        for c in 0..<cols { dr[c] = pr[c] * (dr[c] - dl) }
                    }
                    // dQ += scale · dS · K ; dK += scale · dSᵀ · Q (dS is 0 wherever P is)
                    // (sgemm for both on the Swift kernel: dS would have to be packed twice per tile)
                    if wide {
                        if let dq {
                            tileGemm(rows: rows, n: d, depth: cols, a: dp, aRow: kTile, aCol: 1, b: kj, ldb: dims.kStride,
                                     panelStride: 16, c: dq + qOff, ldc: dims.qStride, alpha: dims.scale, accumulate: true,
                                     scratch: dSPanels, causal: .depth(last: last))
                        }
                        if let dkTile {
                            tileGemmTransposedA(rows: cols, n: d, depth: rows, m: dp, ldm: kTile, b: q.data + qOff, ldb: dims.qStride,
                                                c: dkTile, ldc: dims.kStride, alpha: dims.scale, accumulate: true,
                                                causal: .depthFrom(last: last))
                        }
                        j0 += kTile
                        continue
                    }
                    if let dq {
                        sgemm(m: rows, n: d, k: cols, alpha: dims.scale, a: dp, lda: kTile, b: kj, ldb: dims.kStride,
                              beta: 1, c: dq + qOff, ldc: dims.qStride)
                    }
                    if let dkTile {
                        sgemm(transA: true, m: cols, n: d, k: rows, alpha: dims.scale, a: dp, lda: kTile,
                              b: q.data + qOff, ldb: dims.qStride, beta: 1, c: dkTile, ldc: dims.kStride)
                    }
                    j0 += kTile
                }
                i0 += tile
            }
        }
    }
}
