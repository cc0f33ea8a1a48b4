/// Element-wise ops: add, mul, scale, broadcast bias, sum, reshape. Forward and backward side by side.

/// `a + b` for tensors of equal shape.
public func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try checkSameShape("add", a, b)
    let out = Tensor(uninitialized: a.shape)
    let n = a.count, x = a.data, y = b.data, o = out.data
    Parallel.forRange(n, grain: 1 << 16) { r in for i in r { o[i] = x[i] + y[i] } }
    return out.recorded("add", [a, b]) { out in
        let g = out.gradBuffer()
        if a.requiresGrad && !(a !== b && a.adoptGradient(of: out)) { addInto(a.gradBuffer(), g, n) }
        if b.requiresGrad { addInto(b.gradBuffer(), g, n) }
    }
}

/// `a * b` (element-wise) for tensors of equal shape.
public func mul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try checkSameShape("mul", a, b)
    let out = Tensor(uninitialized: a.shape)
    let n = a.count, x = a.data, y = b.data, o = out.data
    Parallel.forRange(n, grain: 1 << 16) { r in for i in r { o[i] = x[i] * y[i] } }
    return out.recorded("mul", [a, b]) { out in
        let g = out.gradBuffer()
        if a.requiresGrad { let ga = a.gradBuffer(); for i in 0..<n { ga[i] += g[i] * y[i] } }
        if b.requiresGrad { let gb = b.gradBuffer(); for i in 0..<n { gb[i] += g[i] * x[i] } }
    }
}

/// `s · a`.
public func scale(_ a: Tensor, _ s: Float) -> Tensor {
    let out = Tensor(zeros: a.shape)
    let n = a.count, x = a.data, o = out.data
    Parallel.forRange(n, grain: 1 << 16) { r in for i in r { o[i] = x[i] * s } }
    return out.recorded("scale", [a]) { out in
        let g = out.gradBuffer(), ga = a.gradBuffer()
        for i in 0..<n { ga[i] += g[i] * s }
    }
}

/// `x + bias` with `bias` of shape `[C]` broadcast over the rows of `x` `[..., C]`.
public func addBias(_ x: Tensor, _ bias: Tensor) throws -> Tensor {
    guard let c = x.shape.last, bias.shape == [c] else {
        throw TensorError.shapeMismatch(op: "addBias", detail: "x \(x.shape), bias \(bias.shape); bias must be [x.shape.last]")
    }
    try checkNonEmpty("addBias", x)
    let out = Tensor(zeros: x.shape)
    let rows = x.count / c, xp = x.data, bp = bias.data, o = out.data
    Parallel.forRange(rows, grain: 64) { r in
        for row in r { let base = row * c; for j in 0..<c { o[base + j] = xp[base + j] + bp[j] } }
    }
    return out.recorded("addBias", [x, bias]) { out in
        let g = out.gradBuffer()
        if x.requiresGrad { addInto(x.gradBuffer(), g, x.count) }
        if bias.requiresGrad {
            let gb = bias.gradBuffer()
            for row in 0..<rows { addInto(gb, g + row * c, c) }
        }
    }
}

extension Tensor {
    /// Sum of all elements, as a one-element tensor of shape `[]`.
    public func sum() -> Tensor {
        let out = Tensor(zeros: [])
        out.data[0] = reduceSum(data, count)
        let n = count
        return out.recorded("sum", [self]) { out in
            let g = out.gradBuffer()[0], gx = self.gradBuffer()
            for i in 0..<n { gx[i] += g }
        }
    }

    /// The same elements viewed with another shape (shares storage; gradients flow through).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard newShape.allSatisfy({ $0 >= 0 }), newShape.reduce(1, *) == count else {
            throw TensorError.shapeMismatch(op: "reshape", detail: "\(shape) (\(count) elements) to \(newShape)")
        }
        let out = Tensor(shape: newShape, sharing: storage, requiresGrad: false)
        let n = count
        return out.recorded("reshape", [self]) { out in
            if !self.adoptGradient(of: out) { addInto(self.gradBuffer(), out.gradBuffer(), n) }
        }
    }

    /// Backward helper: when this tensor has no gradient yet, takes over `out`'s finished gradient
    /// buffer (same element count) instead of allocating, zeroing and adding a copy. Safe because
    /// the sweep drops `out`'s gradient right after its backward. Returns whether it did.
    func adoptGradient(of out: Tensor) -> Bool {
        guard gradStorage == nil, let g = out.gradStorage, g.count == count else { return false }
        gradStorage = g
        return true
    }
}

/// Sum of `n` floats with a SIMD accumulator (PERF-NOTES: scalar reductions are not vectorised).
@inline(__always) func reduceSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= n { acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self); i += 16 }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Dot product of two length-`n` vectors with a SIMD accumulator.
@inline(__always) func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// `y[i] += alpha · x[i]`.
@inline(__always) func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    let a = SIMD16<Float>(repeating: alpha)
    while i + 16 <= n {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        let yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: yv + a * xv, as: SIMD16<Float>.self)
        i += 16
    }
    while i < n { y[i] += alpha * x[i]; i += 1 }
}

func checkSameShape(_ op: String, _ a: Tensor, _ b: Tensor) throws {
    guard a.shape == b.shape else {
        throw TensorError.shapeMismatch(op: op, detail: "\(a.shape) vs \(b.shape); shapes must be equal")
    }
}
