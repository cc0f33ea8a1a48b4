import Foundation

/// Attention forward for a single query row per (batch, head) — the decoding step (`Tq == 1`), where
/// the tiled path's two `sgemm` calls per tile (1 × D by D × keys) and its 128-query scratch cost
/// far more than the arithmetic (`safekey bench serve`: a 32-row step of the tiny world model spent
/// most of its time in OpenBLAS packing). Same contract and outputs as `attentionForwardTile` for
/// one row: `o[b, 0, h, :] = softmax(scale · q·Kᵀ, hidden keys −∞) · V`, `lse = m + log l`
/// (+∞ and a zero output when no key is visible); with `Tq == 1` the causal test admits every key.
/// Two passes over the keys: scores with SIMD dot products into a `Tk`-float scratch, then one
/// `exp` pass and `axpy` accumulation of the visible values.
func attentionForwardSingleQuery(_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>,
                                 _ v: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                 _ lse: UnsafeMutablePointer<Float>, _ mask: KeyMask, _ dims: AttentionDims,
                                 b: Int, h: Int) {
    precondition(dims.tq == 1, "attentionForwardSingleQuery: Tq must be 1, got \(dims.tq)")
    let d = dims.d, tk = dims.tk, kvh = h / dims.group
    let hidden = mask.hidden.map { $0 + b * tk }
    let qRow = q + (b * dims.hq + h) * d
    let oRow = o + (b * dims.hq + h) * d
    let kBase = k + (b * tk * dims.hkv + kvh) * d, vBase = v + (b * tk * dims.hkv + kvh) * d
    withUnsafeTemporaryAllocation(of: Float.self, capacity: tk) { buffer in
        let s = buffer.baseAddress!
        var mx = -Float.infinity
        for j in 0..<tk {
            if let hidden, hidden[j] { s[j] = -.infinity; continue }
            let x = dims.scale * dot(qRow, kBase + j * dims.kStride, d)
            s[j] = x
            mx = max(mx, x)
        }
        let li = lse + b * dims.hq + h
        guard mx > -.infinity else { li.pointee = .infinity; return }   // no visible key: output stays 0
        let l = expShiftSum(s, s, tk, shift: mx)                         // hidden (−∞) entries become 0
        for j in 0..<tk where s[j] != 0 { axpy(s[j] / l, vBase + j * dims.kStride, oRow, d) }
        li.pointee = mx + logf(l)
    }
}
