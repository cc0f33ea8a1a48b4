import CTile

/// Vectorised `exp` for the hot loops (softmax, cross-entropy, SiLU). `Foundation.exp` runs at
/// ~0.3 G elements/s here (PERF-NOTES.md); this runs SIMD lanes.
///
/// Method (Cephes `expf`): `exp(x) = 2ⁿ · e^r`, `n = round(x·log₂e)`, `r = x − n·ln2` (two-part
/// ln2 for accuracy), `e^r ≈ 1 + r + r²·P(r)` with a degree-5 polynomial on |r| ≤ ½ln2.
/// Relative error ≤ ~2 ulp over the normal range; inputs below −87.3 (including −∞) give 0,
/// inputs above 88.7 give +∞.
@inline(__always)
func vexp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let hi = SIMD8<Float>(repeating: 88.72283), lo = SIMD8<Float>(repeating: -87.33654)
    var xc = x.replacing(with: hi, where: x .> hi)
    xc = xc.replacing(with: lo, where: xc .< lo)
    // n = round-half-even(x·log₂e) through the 1.5·2²³ shift: adding it leaves the integer in the
    // low mantissa bits (exact for |x·log₂e| < 2²²), so no float→int conversion is needed (Swift's
    // generic SIMD conversion is not vectorised and cost ~45% of a training step).
    let magic = SIMD8<Float>(repeating: 12582912)
    let shifted = xc * 1.44269504088896341 + magic
    let n = shifted - magic
    let r = xc - n * 0.693359375 + n * 2.12194440e-4
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let er = p * r * r + r + 1
    // 2ⁿ by building the float's exponent bits; n ∈ [−126, 128] after the clamp.
    let ni = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let scaled = er * unsafeBitCast((ni &+ 127) &<< 23, to: SIMD8<Float>.self)
    var out = scaled.replacing(with: 0, where: x .< lo)
    out = out.replacing(with: .infinity, where: x .> hi)
    return out
}

/// Scalar `exp` through the vector path (for tails of loops).
@inline(__always)
func sexp(_ x: Float) -> Float { vexp(SIMD8<Float>(repeating: x))[0] }

/// `dst[i] = exp(src[i] − shift)` for `i < n`; returns `Σ dst[i]`. With ``AttentionKernel/current``
/// `== .avx512` the 16-element blocks run in CTile (`sk_exp_shift_avx512`: the same operations on
/// 16 lanes, summed into the same 8 lanes in the same order), so the result is bit-identical either way
/// (`AttentionTileKernelTests` compares the two paths' attention outputs exactly).
@inline(__always)
func expShiftSum(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    var acc = SIMD8<Float>()
    let s = SIMD8<Float>(repeating: shift)
    var i = 0
    if n >= 16 && AttentionKernel.current == .avx512 {   // (a separate sum: `acc` itself stays in a register below)
        var partial = SIMD8<Float>()
        i = withUnsafeMutablePointer(to: &partial) { sk_exp_shift_avx512(src, dst, n, shift, UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self)) }
        acc = partial
    }
    while i + 8 <= n {
        let e = vexp(UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self) - s)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: e, as: SIMD8<Float>.self)
        acc += e
        i += 8
    }
    var total = acc.sum()
    while i < n { let e = sexp(src[i] - shift); dst[i] = e; total += e; i += 1 }
    return total
}

/// `Σ exp(src[i] − shift)` for `i < n`.
@inline(__always)
func expShiftSumOnly(_ src: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    var acc = SIMD8<Float>()
    let s = SIMD8<Float>(repeating: shift)
    var i = 0
    while i + 8 <= n { acc += vexp(UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self) - s); i += 8 }
    var total = acc.sum()
    while i < n { total += sexp(src[i] - shift); i += 1 }
    return total
}

/// Maximum of `n ≥ 1` floats.
@inline(__always)
func maxOf(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i + 8 <= n {   // compare-and-blend: the stdlib's pointwiseMax is a per-lane call here (perf)
        let x = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
        m.replace(with: x, where: x .> m)
        i += 8
    }
    var r = m.max()
    while i < n { r = Swift.max(r, p[i]); i += 1 }
    return r
}
