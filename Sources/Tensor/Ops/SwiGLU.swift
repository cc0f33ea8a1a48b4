import Foundation

/// SwiGLU gate, forward and backward: `silu(gate) ⊙ up`, `silu(g) = g · σ(g)`.
/// The full MLP of Qwen2/Llama is `swigluMLP`. Shapes: `gate` and `up` equal, result the same.
public func swiglu(gate: Tensor, up: Tensor) throws -> Tensor {
    try checkSameShape("swiglu", gate, up)
    try checkNonEmpty("swiglu", gate)
    let n = gate.count, g = gate.data, u = up.data
    let out = Tensor(uninitialized: gate.shape)
    let o = out.data
    Parallel.forRange(n, grain: 1 << 14) { r in
        var i = r.lowerBound
        while i + 8 <= r.upperBound {
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
            let uv = UnsafeRawPointer(u + i).loadUnaligned(as: SIMD8<Float>.self)
            let s = 1 / (1 + vexp(-gv))
            UnsafeMutableRawPointer(o + i).storeBytes(of: gv * s * uv, as: SIMD8<Float>.self)
            i += 8
        }
        while i < r.upperBound { let s = 1 / (1 + sexp(-g[i])); o[i] = g[i] * s * u[i]; i += 1 }
    }
    return out.recorded("swiglu", [gate, up]) { out in
        let dy = out.gradBuffer()
        let gg = gate.requiresGrad ? gate.gradBuffer() : nil
        let gu = up.requiresGrad ? up.gradBuffer() : nil
        Parallel.forRange(n, grain: 1 << 14) { r in
            var i = r.lowerBound
            while i + 8 <= r.upperBound {
                let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
                let dv = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
                let s = 1 / (1 + vexp(-gv))
                if let gu {
                    let old = UnsafeRawPointer(gu + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(gu + i).storeBytes(of: old + dv * gv * s, as: SIMD8<Float>.self)
                }
                if let gg {
                    let uv = UnsafeRawPointer(u + i).loadUnaligned(as: SIMD8<Float>.self)
                    let old = UnsafeRawPointer(gg + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(gg + i).storeBytes(of: old + dv * uv * s * (1 + gv * (1 - s)), as: SIMD8<Float>.self)
                }
                i += 8
            }
            for i in i..<r.upperBound {
                let s = 1 / (1 + sexp(-g[i]))
                if let gu { gu[i] += dy[i] * g[i] * s }
                // d silu/dg = σ(g) · (1 + g · (1 − σ(g)))
                if let gg { gg[i] += dy[i] * u[i] * s * (1 + g[i] * (1 - s)) }
            }
        }
    }
}

/// The SwiGLU MLP of Qwen2/Llama: `down(silu(gate(x)) ⊙ up(x))` with bias-free projections
/// (`gate_proj`, `up_proj`: `[I, C]`; `down_proj`: `[C, I]`); `x` is `[..., C]`.
public func swigluMLP(_ x: Tensor, gate: Tensor, up: Tensor, down: Tensor) throws -> Tensor {
    let h = try swiglu(gate: linear(x, weight: gate), up: linear(x, weight: up))
    return try linear(h, weight: down)
}
