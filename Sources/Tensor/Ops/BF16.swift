/// BFloat16 weight storage for inference: a `[rows, cols]` matrix of bf16 bit patterns, the
/// product `y = x · Wᵀ` that widens the weights to f32 on the fly (each weight read once per call,
/// 2 bytes instead of 4), and an embedding lookup over bf16 rows. Arithmetic is f32 throughout;
/// only storage is 16-bit, so the results equal those of an f32 model whose weights were first
/// rounded to bf16 (up to summation order).
///
/// bf16 is the top half of an f32 (sign, 8 exponent bits, 7 mantissa bits): widening is a 16-bit
/// left shift of the bit pattern; narrowing rounds to nearest, ties to even (PyTorch's
/// `tensor.to(torch.bfloat16)`, c10 `round_to_nearest_even`).
///
/// ```swift
/// let w = try BF16Matrix(rounding: Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
/// let y = try GradMode.noGrad { try linear(Tensor(shape: [1, 3], values: [1, 0, -1]), weight: w) }
/// print(y.values)   // [-2, -2]
/// ```
public enum BF16 {
    /// f32 → bf16 bits, round to nearest even; NaN stays a (quiet) NaN, ±∞ stays ±∞, and finite
    /// values above the largest bf16 round to ±∞ as in PyTorch.
    @inlinable @inline(__always)
    public static func fromFloat(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        // No overflow past UInt32.max: the largest non-NaN patterns are 0x7F800000 / 0xFF800000 (±∞),
        // and 0xFF800000 + 0x7FFF + 1 < 2³².
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// bf16 bits → f32 (exact).
    @inlinable @inline(__always)
    public static func toFloat(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Rounds `count` floats to bf16 (`fromFloat` per element). A branch-free scalar loop that
    /// LLVM vectorises; Swift's generic `SIMD16<UInt16>(truncatingIfNeeded:)` is not inlined.
    public static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<UInt16>, count: Int) {
        UnsafeRawPointer(src).withMemoryRebound(to: UInt32.self, capacity: count) { bits in
            for i in 0..<count {
                let b = bits[i]
                let nearest = (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16
                dst[i] = UInt16(truncatingIfNeeded: (b & 0x7FFF_FFFF) > 0x7F80_0000 ? (b >> 16) | 0x0040 : nearest)
            }
        }
    }

    /// Widens `count` bf16 values to f32 (exact); a scalar loop that LLVM vectorises
    /// (`vpmovzxwd` + `vpslld`).
    public static func widen(_ src: UnsafePointer<UInt16>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        UnsafeMutableRawPointer(dst).withMemoryRebound(to: UInt32.self, capacity: count) { out in
            for i in 0..<count { out[i] = UInt32(src[i]) << 16 }
        }
    }

    /// `Σ w[j] · x[j]` over `n` elements, `w` in bf16, given `x` split into even (`xe[i] = x[2i]`)
    /// and odd (`xo[i] = x[2i+1]`) elements. Two bf16 values share a 32-bit lane: on a
    /// little-endian host the even one is the low half, so `lane << 16` is it as an f32 and
    /// `lane & 0xFFFF0000` is the odd one — a shift and a mask per 16 weights, no widening
    /// conversion (which Swift's generic SIMD initialisers would leave as a call).
    @inline(__always)
    static func dot(_ w: UnsafePointer<UInt16>, _ x: UnsafePointer<Float>, _ xe: UnsafePointer<Float>,
                    _ xo: UnsafePointer<Float>, _ n: Int) -> Float {
        var ae = SIMD16<Float>(), ao = SIMD16<Float>()
        var j = 0
        while j + 32 <= n {
            let lanes = UnsafeRawPointer(w + j).loadUnaligned(as: SIMD16<UInt32>.self)
            ae += unsafeBitCast(lanes &<< 16, to: SIMD16<Float>.self) * UnsafeRawPointer(xe + j / 2).loadUnaligned(as: SIMD16<Float>.self)
            ao += unsafeBitCast(lanes & 0xFFFF_0000, to: SIMD16<Float>.self) * UnsafeRawPointer(xo + j / 2).loadUnaligned(as: SIMD16<Float>.self)
            j += 32
        }
        var s = (ae + ao).sum()
        while j < n { s += toFloat(w[j]) * x[j]; j += 1 }
        return s
    }

    /// Splits `x` (`n` floats) into `xe` (even elements) and `xo` (odd ones) for `dot`.
    @inline(__always)
    static func deinterleave(_ x: UnsafePointer<Float>, _ n: Int, _ xe: UnsafeMutablePointer<Float>, _ xo: UnsafeMutablePointer<Float>) {
        for i in 0..<(n / 2) { xe[i] = x[2 * i]; xo[i] = x[2 * i + 1] }
    }
}

/// A `[rows, cols]` row-major matrix of bf16 values (bit patterns), e.g. a Hugging Face
/// `nn.Linear` weight `[out, in]` or an embedding table `[V, C]`. Inference only: it has no
/// gradient and no op records it on the tape.
public final class BF16Matrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// `rows × cols` bf16 bit patterns, row-major; valid for the lifetime of this object.
    public let bits: UnsafeMutablePointer<UInt16>
    /// Optional name (model weights carry their Hugging Face key).
    public var name: String?

    /// A zero matrix.
    public init(rows: Int, cols: Int, name: String? = nil) {
        precondition(rows >= 0 && cols >= 0, "BF16Matrix: negative shape [\(rows), \(cols)]")
        self.rows = rows
        self.cols = cols
        self.name = name
        // 64-byte (cache-line) alignment: the GEMV's 64-byte loads then never split a line when
        // a row is a whole number of lines (2·cols % 64 == 0: every Qwen2/Llama width) — ~5–10%
        // more bandwidth than malloc's 16-byte alignment in a probe.
        let n = max(rows * cols, 1)
        bits = UnsafeMutableRawPointer.allocate(byteCount: 2 * n, alignment: 64).bindMemory(to: UInt16.self, capacity: n)
        bits.initialize(repeating: 0, count: n)
    }

    /// `tensor` (`[rows, cols]`) rounded to bf16, named like it.
    public convenience init(rounding tensor: Tensor) throws {
        guard tensor.rank == 2 else {
            throw TensorError.shapeMismatch(op: "BF16Matrix", detail: "tensor \(tensor.shape) must be [rows, cols]")
        }
        self.init(rows: tensor.shape[0], cols: tensor.shape[1], name: tensor.name)
        Parallel.forRange(count, grain: 1 << 18) { r in
            BF16.round(tensor.data + r.lowerBound, into: self.bits + r.lowerBound, count: r.count)
        }
    }

    deinit { UnsafeMutableRawPointer(bits).deallocate() }

    public var count: Int { rows * cols }
    public var shape: [Int] { [rows, cols] }
    /// Bytes of weight data (2 per element).
    public var byteCount: Int { 2 * count }

    /// The values widened to an f32 tensor (a copy; exact).
    public func widened() -> Tensor {
        let t = Tensor(uninitialized: shape)
        BF16.widen(bits, into: t.data, count: count)
        t.name = name
        return t
    }
}

/// `x · Wᵀ + bias` with `W` `[out, in]` stored as bf16 — `linear(_:weight:bias:)` for inference.
/// `x` is `[..., in]`, result `[..., out]`, computed in f32.
///
/// Up to 8 rows of `x` (a decode step) stream `W` once, widening 16 weights at a time, in bands of
/// output rows over `Parallel.threads`. More rows (a prefill) run on the AVX512-BF16 kernel where
/// the CPU has it, else widen bands of `W` to f32 and call `sgemm` (``bf16Linear``). No gradient flows through: call it inside `GradMode.noGrad` (it throws when `x` or
/// `bias` would need one).
public func linear(_ x: Tensor, weight: BF16Matrix, bias: Tensor? = nil) throws -> Tensor {
    let n = weight.rows, k = weight.cols
    guard x.rank >= 1, x.shape.last == k, bias.map({ $0.shape == [n] }) ?? true else {
        throw TensorError.shapeMismatch(op: "linear", detail: "x \(x.shape), bf16 weight [\(n), \(k)], bias \(bias?.shape ?? []); weight must be [out, x.shape.last], bias [out]")
    }
    guard !Tensor.shouldRecord([x] + (bias.map { [$0] } ?? [])) else {
        throw TensorError.invalidArgument(op: "linear", detail: "bf16 weight \(weight.name ?? "") is for inference and passes no gradient; call inside GradMode.noGrad, or use f32 weights to train")
    }
    try checkNonEmpty("linear", x)
    let m = x.count / max(k, 1)
    let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [n])
    bf16Linear(m: m, n: n, k: k, w: weight.bits, x: x.data, bias: bias?.data, y: out.data)
    if OpProfile.isEnabled { OpProfile.recordForward("linear.bf16") }
    return out
}

/// `y = x · Wᵀ (+ bias)` with `W` `[n, k]` in BF16, `x` `[m, k]`: up to 8 rows (a decode step)
/// stream `W` once (``bf16GemvRows``, f32 arithmetic); more rows run on the AVX512-BF16 kernel
/// (``BF16Gemm``, `x` rounded to bf16) where ``BF16Gemm/isEnabled``, else widen `W` and call
/// `sgemm` (``bf16GemmWidening``, f32 arithmetic).
func bf16Linear(m: Int, n: Int, k: Int, w: UnsafePointer<UInt16>, x: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                y: UnsafeMutablePointer<Float>) {
    if m <= 8 { return bf16GemvRows(m: m, n: n, k: k, w: w, x: x, bias: bias, y: y) }
    guard BF16Gemm.isEnabled else { return bf16GemmWidening(m: m, n: n, k: k, w: w, x: x, bias: bias, y: y) }
    BF16Gemm.multiply(a: x, m: m, k: k, b: w, layout: .nk, n: n, c: y)
    if let bias { addRowBias(y, bias, rows: m, cols: n) }
}

/// `y[i, r] = Σ_j W[r, j] · x[i, j] (+ bias[r])` for `m` (few) rows of `x`: each thread takes a
/// band of ≥ 64 rows of `W` (so the 128-row k/v projections are shared too) and reads each
/// weight row once from memory (the other rows of `x` reuse it from L1).
func bf16GemvRows(m: Int, n: Int, k: Int, w: UnsafePointer<UInt16>, x: UnsafePointer<Float>,
                  bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
    let half = k / 2
    // Cache-line aligned like the weights (the halves stay aligned when k/2 floats is whole lines).
    let xs = UnsafeMutableRawPointer.allocate(byteCount: 4 * max(2 * m * half, 1), alignment: 64)
        .bindMemory(to: Float.self, capacity: max(2 * m * half, 1))
    defer { UnsafeMutableRawPointer(xs).deallocate() }
    for i in 0..<m { BF16.deinterleave(x + i * k, k, xs + 2 * i * half, xs + (2 * i + 1) * half) }
    Parallel.forRange(n, grain: 64) { band in
        for r in band {
            let row = w + r * k
            let b = bias?[r] ?? 0
            for i in 0..<m {
                y[i * n + r] = BF16.dot(row, x + i * k, xs + 2 * i * half, xs + (2 * i + 1) * half, k) + b
            }
        }
    }
}

/// The prefill path: bands of 128 rows of `W` widened to f32 on each thread (a 128 × `k` buffer),
/// then `sgemm` for those output columns, `bias` added after.
func bf16GemmWidening(m: Int, n: Int, k: Int, w: UnsafePointer<UInt16>, x: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
    let tile = 128
    Parallel.forRange(n, grain: tile) { band in
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: min(tile, band.count) * k)
        defer { buf.deallocate() }
        var lo = band.lowerBound
        while lo < band.upperBound {
            let rows = min(tile, band.upperBound - lo)
            BF16.widen(w + lo * k, into: buf, count: rows * k)
            sgemm(transB: true, m: m, n: rows, k: k, a: x, lda: k, b: buf, ldb: k, c: y + lo, ldc: n)
            lo += rows
        }
    }
    if let bias { addRowBias(y, bias, rows: m, cols: n) }
}

/// Embedding lookup from a bf16 table `[V, C]` (rows widened to f32): result `shape + [C]`.
/// Mirrors `embedding(ids:shape:table:)` without the gradient.
public func embedding(ids: [Int], shape: [Int], table: BF16Matrix) throws -> Tensor {
    guard ids.count == shape.reduce(1, *) else {
        throw TensorError.shapeMismatch(op: "embedding", detail: "\(ids.count) ids for shape \(shape)")
    }
    guard !ids.isEmpty else { throw TensorError.empty(op: "embedding", shape: shape) }
    let v = table.rows, c = table.cols
    for (i, id) in ids.enumerated() where id < 0 || id >= v {
        throw TensorError.indexOutOfRange(op: "embedding", detail: "id \(id) at position \(i) is outside 0..<\(v) (vocabulary size)")
    }
    let out = Tensor(uninitialized: shape + [c])
    for (i, id) in ids.enumerated() { BF16.widen(table.bits + id * c, into: out.data + i * c, count: c) }
    if OpProfile.isEnabled { OpProfile.recordForward("embedding.bf16") }
    return out
}
