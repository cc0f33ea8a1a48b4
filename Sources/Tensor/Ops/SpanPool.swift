/// Mean-pool over a `[start, end)` span of positions per batch row, forward and backward —
/// SafeKey's Dual-Path Safety Head inputs (METHOD.md: `[0, k_start)` and `[u_start, k_start)`).
///
/// `x` is `[B, T, C]`, `spans` has `B` pairs with `0 ≤ start < end ≤ T`; result `[B, C]`.
/// Backward spreads `dy / (end − start)` over the span.
public func spanMeanPool(_ x: Tensor, spans: [(start: Int, end: Int)]) throws -> Tensor {
    guard x.rank == 3, spans.count == x.shape[0] else {
        throw TensorError.shapeMismatch(op: "spanMeanPool", detail: "x \(x.shape), \(spans.count) spans; need [B, T, C] and B spans")
    }
    try checkNonEmpty("spanMeanPool", x)
    let t = x.shape[1], c = x.shape[2]
    for (b, s) in spans.enumerated() where !(0 <= s.start && s.start < s.end && s.end <= t) {
        throw TensorError.indexOutOfRange(op: "spanMeanPool", detail: "span [\(s.start), \(s.end)) of row \(b) is empty or outside [0, \(t))")
    }
    let out = Tensor(zeros: [x.shape[0], c])
    for (b, s) in spans.enumerated() {
        let o = out.data + b * c
        for p in s.start..<s.end { addInto(o, x.data + (b * t + p) * c, c) }
        let inv = 1 / Float(s.end - s.start)
        for j in 0..<c { o[j] *= inv }
    }
    return out.recorded("spanMeanPool", [x]) { out in
        let g = out.gradBuffer(), gx = x.gradBuffer()
        for (b, s) in spans.enumerated() {
            let inv = 1 / Float(s.end - s.start)
            for p in s.start..<s.end { axpy(inv, g + b * c, gx + (b * t + p) * c, c) }
        }
    }
}
