import Foundation

/// RMSNorm with weight, forward and backward — Hugging Face `Qwen2RMSNorm` / `LlamaRMSNorm`:
/// `y = w ⊙ x / sqrt(mean(x²) + eps)` over the last dimension, computed in f32.
///
/// `x` is `[..., C]`, `weight` `[C]`. Forward saves `rstd` per row (llm.c style) for backward:
/// with `n = x·rstd`, `dx = rstd · (dy⊙w − n · mean(dy⊙w⊙n))`, `dw = Σ_rows dy ⊙ n`.
public func rmsNorm(_ x: Tensor, weight: Tensor, eps: Float) throws -> Tensor {
    guard let c = x.shape.last, weight.shape == [c] else {
        throw TensorError.shapeMismatch(op: "rmsNorm", detail: "x \(x.shape), weight \(weight.shape); weight must be [x.shape.last]")
    }
    try checkNonEmpty("rmsNorm", x)
    let rows = x.count / c
    let out = Tensor(uninitialized: x.shape)
    let rstd = UnsafeMutableBufferPointer<Float>.allocate(capacity: rows)
    let rs = rstd.baseAddress!, xp = x.data, wp = weight.data, o = out.data
    Parallel.forRange(rows, grain: 16) { r in
        for row in r {
            let xr = xp + row * c, orow = o + row * c
            let ms = dot(xr, xr, c) / Float(c)
            let s = 1 / (ms + eps).squareRoot()
            rs[row] = s
            for j in 0..<c { orow[j] = wp[j] * (xr[j] * s) }
        }
    }
    let record = Tensor.shouldRecord([x, weight])
    if !record { rstd.deallocate(); return out }
    let saved = SavedBuffer(rstd)
    return out.recorded("rmsNorm", [x, weight]) { out in
        let g = out.gradBuffer(), rs = saved.pointer
        if x.requiresGrad {
            let gx = x.gradBuffer()
            Parallel.forRange(rows, grain: 16) { r in
                for row in r {
                    let xr = xp + row * c, gr = g + row * c, gxr = gx + row * c, s = rs[row]
                    let mean = dot3(gr, wp, xr, c) * s / Float(c)
                    for j in 0..<c { gxr[j] += s * (gr[j] * wp[j] - xr[j] * s * mean) }
                }
            }
        }
        if weight.requiresGrad {
            // Columns split across threads: each task owns a slice of dw and sweeps every row.
            let gw = weight.gradBuffer()
            Parallel.forRange(c, grain: 64) { cols in
                for row in 0..<rows {
                    let xr = xp + row * c, gr = g + row * c, s = rs[row]
                    for j in cols { gw[j] += gr[j] * xr[j] * s }
                }
            }
        }
    }
}

/// `Σ a[i]·b[i]·c[i]` with a SIMD accumulator.
@inline(__always) func dot3(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            * UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = acc.sum()
    while i < n { total += a[i] * b[i] * c[i]; i += 1 }
    return total
}

/// A heap buffer owned by a backward closure (freed with the graph).
final class SavedBuffer {
    let buffer: UnsafeMutableBufferPointer<Float>
    var pointer: UnsafeMutablePointer<Float> { buffer.baseAddress! }
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
    init(count: Int) {
        buffer = .allocate(capacity: max(count, 1))
        buffer.initialize(repeating: 0)
    }
    deinit { buffer.deallocate() }
}
