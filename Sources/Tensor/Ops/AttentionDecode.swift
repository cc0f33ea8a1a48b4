import Foundation

/// Attention forward for a single query row per (batch, head) — the decoding step (`Tq == 1`), where
/// the tiled path's two `sgemm` calls per tile (1 × D by D × keys) and its 128-query scratch cost
/// far more than the arithmetic (`safekey bench serve`: a 32-row step of the tiny world model spent
/// most of its time in OpenBLAS packing). Same contract and outputs as `attentionForwardTile` for
/// one row: `o[b, 0, h, :] = softmax(scale · q·Kᵀ, hidden keys −∞) · V`, `lse = m + log l`
/// (+∞ and a zero output when no key is visible); with `Tq == 1` the causal test admits every key.
func attentionForwardSingleQuery(_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>,
                                 _ v: UnsafeMutablePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                 _ lse: UnsafeMutablePointer<Float>, _ mask: KeyMask, _ dims: AttentionDims,
                                 b: Int, h: Int) {
    precondition(dims.tq == 1, "attentionForwardSingleQuery: Tq must be 1, got \(dims.tq)")
    let d = dims.d, tk = dims.tk, kvh = h / dims.group
    let row = (b * dims.hq + h) * d
    (lse + b * dims.hq + h).pointee = attendOneQuery(
        q + row, keys: k + (b * tk * dims.hkv + kvh) * d, values: v + (b * tk * dims.hkv + kvh) * d,
        stride: dims.kStride, count: tk, hidden: mask.hidden.map { UnsafePointer($0 + b * tk) },
        d: d, scale: dims.scale, out: o + row)
}

/// Decoding attention over keys and values kept per row (continuous batching: each sequence's KV
/// cache is its own buffer, and lengths differ). Row `b` attends with its one query `q[b, 0, :, :]`
/// to all `lengths[b]` keys at `keys[b]` (`[lengths[b], kvHeads, D]`, contiguous, the row's newest
/// key last) — no padding, no mask, no copy into a `[B, Tk, Hkv, D]` block. Query head `h` reads
/// key/value head `h / (Hq / kvHeads)`, scores are scaled by `scale` (default `1/√D`).
///
/// The result `[B, 1, Hq, D]` equals `attention(q:k:v:hiddenKeys:)` on the same keys laid out
/// left-aligned with the gaps hidden (the slot cache's former path; `AttentionDecodeTests` checks
/// the two agree). Inference only: the output records no gradient, so calling this with gradient
/// recording on for a `q` that needs one is an error.
public func attentionDecode(q: Tensor, keys: [UnsafePointer<Float>], values: [UnsafePointer<Float>], lengths: [Int],
                            kvHeads: Int, scale: Float? = nil) throws -> Tensor {
    let b = keys.count
    guard q.rank == 4, q.shape[0] == b, q.shape[1] == 1, values.count == b, lengths.count == b,
          kvHeads > 0, q.shape[2] % kvHeads == 0, lengths.allSatisfy({ $0 >= 1 }) else {
        throw TensorError.shapeMismatch(op: "attentionDecode", detail: "q \(q.shape), \(keys.count) key rows, \(values.count) value rows, lengths \(lengths), \(kvHeads) kv heads; need q [B,1,Hq,D], B rows of ≥ 1 key, Hq % kvHeads == 0")
    }
    guard !(GradMode.isEnabled && q.requiresGrad) else {
        throw TensorError.invalidArgument(op: "attentionDecode", detail: "inference only (no gradient): call it inside GradMode.noGrad")
    }
    let hq = q.shape[2], d = q.shape[3], group = hq / kvHeads, stride = kvHeads * d
    let s = scale ?? 1 / Float(d).squareRoot()
    let out = Tensor(zeros: q.shape)
    let qp = q.data, op = out.data
    keys.withUnsafeBufferPointer { kp in values.withUnsafeBufferPointer { vp in lengths.withUnsafeBufferPointer { np in
        let kp = kp.baseAddress!, vp = vp.baseAddress!, np = np.baseAddress!
        // One task per (row, key/value head): the group's query heads share each key and value row
        // while it is in L1 (the KV cache is the step's largest read; GQA groups are 2–7 heads).
        Parallel.forEach(b * kvHeads, grain: max(1, b * kvHeads / (4 * Parallel.threads))) { task in
            let r = task / kvHeads, kvh = task % kvHeads, first = (r * hq + kvh * group) * d
            if d % 8 == 0 && group <= 8 {
                attendQueryGroup(qp + first, group: group, keys: kp[r] + kvh * d, values: vp[r] + kvh * d, stride: stride,
                                 count: np[r], d: d, scale: s, out: op + first)
            } else {
                for g in 0..<group {
                    _ = attendOneQuery(qp + first + g * d, keys: kp[r] + kvh * d, values: vp[r] + kvh * d, stride: stride, count: np[r],
                                       hidden: nil, d: d, scale: s, out: op + first + g * d)
                }
            }
        }
    }}}
    if OpProfile.isEnabled { OpProfile.recordForward("attention") }
    return out
}

/// `group` consecutive query heads (`q[g·d ..< (g+1)·d]`, `g < group ≤ 8`, `d % 8 == 0`) against the
/// same `count` keys and values (`stride` floats apart): for each query, `out[g·d ..< (g+1)·d] =
/// softmax(scale · q_g·kⱼ) · V` — ``attendOneQuery`` for every head of a GQA group, but each key and
/// value row is loaded once for the whole group. Scores go into a `group × count` scratch.
@inline(__always)
private func attendQueryGroup(_ q: UnsafePointer<Float>, group: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                              stride: Int, count tk: Int, d: Int, scale: Float, out: UnsafeMutablePointer<Float>) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: group * tk) { buffer in
        let s = buffer.baseAddress!
        // Scores: key j against every query of the group, eight dims at a time.
        for j in 0..<tk {
            let k = UnsafeRawPointer(keys + j * stride)
            var acc = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
                       SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            var c = 0
            while c < d {
                let kv = k.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self)
                @inline(__always) func qv(_ g: Int) -> SIMD8<Float> { UnsafeRawPointer(q + g * d + c).loadUnaligned(as: SIMD8<Float>.self) }
                acc.0.addProduct(qv(0), kv)
                if group > 1 { acc.1.addProduct(qv(1), kv) }
                if group > 2 { acc.2.addProduct(qv(2), kv) }
                if group > 3 { acc.3.addProduct(qv(3), kv) }
                if group > 4 { acc.4.addProduct(qv(4), kv) }
                if group > 5 { acc.5.addProduct(qv(5), kv) }
                if group > 6 { acc.6.addProduct(qv(6), kv) }
                if group > 7 { acc.7.addProduct(qv(7), kv) }
                c += 8
            }
            s[j] = scale * acc.0.sum()
            if group > 1 { s[tk + j] = scale * acc.1.sum() }
            if group > 2 { s[2 * tk + j] = scale * acc.2.sum() }
            if group > 3 { s[3 * tk + j] = scale * acc.3.sum() }
            if group > 4 { s[4 * tk + j] = scale * acc.4.sum() }
            if group > 5 { s[5 * tk + j] = scale * acc.5.sum() }
            if group > 6 { s[6 * tk + j] = scale * acc.6.sum() }
            if group > 7 { s[7 * tk + j] = scale * acc.7.sum() }
        }
        // Softmax per query (every key is visible: a decoding step has no padding here).
        var inverse = SIMD8<Float>()
        for g in 0..<group {
            let row = s + g * tk
            let mx = maxOf(row, tk)
            inverse[g] = 1 / expShiftSum(row, row, tk, shift: mx)
        }
        // Weighted values: value row j read once per 8 output dims, used by every query.
        var c = 0
        while c < d {
            var acc = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
                       SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            for j in 0..<tk {
                let v = UnsafeRawPointer(values + j * stride + c).loadUnaligned(as: SIMD8<Float>.self)
                acc.0.addProduct(SIMD8(repeating: s[j]), v)
                if group > 1 { acc.1.addProduct(SIMD8(repeating: s[tk + j]), v) }
                if group > 2 { acc.2.addProduct(SIMD8(repeating: s[2 * tk + j]), v) }
                if group > 3 { acc.3.addProduct(SIMD8(repeating: s[3 * tk + j]), v) }
                if group > 4 { acc.4.addProduct(SIMD8(repeating: s[4 * tk + j]), v) }
                if group > 5 { acc.5.addProduct(SIMD8(repeating: s[5 * tk + j]), v) }
                if group > 6 { acc.6.addProduct(SIMD8(repeating: s[6 * tk + j]), v) }
                if group > 7 { acc.7.addProduct(SIMD8(repeating: s[7 * tk + j]), v) }
            }
            @inline(__always) func put(_ g: Int, _ a: SIMD8<Float>) {
                UnsafeMutableRawPointer(out + g * d + c).storeBytes(of: a * inverse[g], as: SIMD8<Float>.self)
            }
            put(0, acc.0)
            if group > 1 { put(1, acc.1) }
            if group > 2 { put(2, acc.2) }
            if group > 3 { put(3, acc.3) }
            if group > 4 { put(4, acc.4) }
            if group > 5 { put(5, acc.5) }
            if group > 6 { put(6, acc.6) }
            if group > 7 { put(7, acc.7) }
            c += 8
        }
    }
}

/// One query row against `count` keys/values `stride` floats apart: writes
/// `out[0..<d] = softmax(scale · q·kⱼ, hidden −∞) · V` and returns the log-sum-exp (`+∞`, output
/// left at zero, when every key is hidden). Scores go into a `count`-float scratch (four keys at a
/// time when `d` is a multiple of 8), then one `exp` pass, then the weighted sum of values with
/// the output held in registers across all keys (``weightedRowSum``) — accumulating into `out`
/// key by key would chain every key's update through a store and a reload.
@inline(__always)
private func attendOneQuery(_ q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                            stride: Int, count tk: Int, hidden: UnsafePointer<Bool>?, d: Int, scale: Float,
                            out: UnsafeMutablePointer<Float>) -> Float {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: tk) { buffer in
        let s = buffer.baseAddress!
        var j = 0
        if d % 8 == 0 {
            while j + 4 <= tk {
                var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0
                let k0 = UnsafeRawPointer(keys + j * stride), k1 = k0 + 4 * stride, k2 = k1 + 4 * stride, k3 = k2 + 4 * stride
                var c = 0
                while c < d {
                    let qv = UnsafeRawPointer(q + c).loadUnaligned(as: SIMD8<Float>.self), o = 4 * c
                    a0 += qv * k0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    a1 += qv * k1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    a2 += qv * k2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    a3 += qv * k3.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                    c += 8
                }
                s[j] = scale * a0.sum(); s[j + 1] = scale * a1.sum(); s[j + 2] = scale * a2.sum(); s[j + 3] = scale * a3.sum()
                j += 4
            }
        }
        while j < tk { s[j] = scale * dot(q, keys + j * stride, d); j += 1 }
        var mx = -Float.infinity
        if let hidden {
            for j in 0..<tk { if hidden[j] { s[j] = -.infinity } else { mx = max(mx, s[j]) } }
        } else {
            mx = maxOf(s, tk)
        }
        guard mx > -.infinity else { return .infinity }   // no visible key: output stays 0
        let l = expShiftSum(s, s, tk, shift: mx)            // hidden (−∞) entries become 0
        weightedRowSum(s, count: tk, rows: values, stride: stride, d: d, scale: 1 / l, out: out)
        return mx + logf(l)
    }
}

/// `out[0..<d] = scale · Σⱼ w[j] · rows[j·stride ..< j·stride + d]`, skipping zero weights, with
/// 32 output floats in registers at a time (8 at a time, then scalars, for the rest of `d`).
@inline(__always)
private func weightedRowSum(_ w: UnsafePointer<Float>, count n: Int, rows: UnsafePointer<Float>, stride: Int, d: Int,
                            scale: Float, out: UnsafeMutablePointer<Float>) {
    var c = 0
    while c + 32 <= d {
        var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0
        for j in 0..<n where w[j] != 0 {
            let x = SIMD8<Float>(repeating: w[j]), r = UnsafeRawPointer(rows + j * stride + c)
            a0 += x * r.loadUnaligned(fromByteOffset: 0, as: SIMD8<Float>.self)
            a1 += x * r.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            a2 += x * r.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            a3 += x * r.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
        }
        let o = UnsafeMutableRawPointer(out + c)
        o.storeBytes(of: a0 * scale, toByteOffset: 0, as: SIMD8<Float>.self)
        o.storeBytes(of: a1 * scale, toByteOffset: 32, as: SIMD8<Float>.self)
        o.storeBytes(of: a2 * scale, toByteOffset: 64, as: SIMD8<Float>.self)
        o.storeBytes(of: a3 * scale, toByteOffset: 96, as: SIMD8<Float>.self)
        c += 32
    }
    while c + 8 <= d {
        var a = SIMD8<Float>()
        for j in 0..<n where w[j] != 0 { a += SIMD8<Float>(repeating: w[j]) * UnsafeRawPointer(rows + j * stride + c).loadUnaligned(as: SIMD8<Float>.self) }
        UnsafeMutableRawPointer(out + c).storeBytes(of: a * scale, as: SIMD8<Float>.self)
        c += 8
    }
    while c < d {
        var a: Float = 0
        for j in 0..<n where w[j] != 0 { a += w[j] * rows[j * stride + c] }
        out[c] = a * scale
        c += 1
    }
}
