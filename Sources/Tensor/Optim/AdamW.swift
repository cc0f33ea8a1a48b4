import Foundation

/// A set of parameters sharing optimiser settings (e.g. "no weight decay on biases and norms").
public struct ParameterGroup {
    public var parameters: [Tensor]
    public var weightDecay: Float
    public init(parameters: [Tensor], weightDecay: Float) {
        self.parameters = parameters
        self.weightDecay = weightDecay
    }
}

/// AdamW with decoupled weight decay and bias correction — `torch.optim.AdamW` (single-tensor,
/// non-fused, `amsgrad=False`) step for step, including its order of f32 operations:
/// `p ← p·(1 − lr·wd)`; `m ← m + (1−β1)(g − m)` (lerp); `v ← β2·v + (1−β2)·g²`;
/// `p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)`. Bias-correction scalars in double, as Python.
/// State (`m`, `v`, and the step count `t`) is per parameter, created at the parameter's first
/// update — so a parameter that first gets a gradient late (e.g. SafeKey's heads) starts its bias
/// correction at t = 1, as in PyTorch. Parameters without a gradient (`gradStorage == nil`, PyTorch's
/// `grad is None`) are skipped; `zeroGrad()` drops gradients like `zero_grad(set_to_none=True)`.
///
/// ```swift
/// let opt = AdamW(groups: [ParameterGroup(parameters: weights, weightDecay: 1e-4),
///                          ParameterGroup(parameters: biases, weightDecay: 0)], betas: (0.9, 0.95))
/// opt.learningRate = schedule.learningRate(at: step)
/// opt.step()
/// ```
public final class AdamW {
    public var groups: [ParameterGroup]
    /// Current learning rate (Double, like PyTorch's Python-float hyper-parameters).
    public var learningRate: Double
    public let beta1: Float, beta2: Float, eps: Float
    /// Calls of `step()` so far.
    public private(set) var stepCount = 0
    private var state: [ObjectIdentifier: (m: Storage, v: Storage, t: Int)] = [:]

    public init(groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8) {
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.eps = eps
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        stepCount += 1
        // Scalars as PyTorch forms them: Python doubles rounded to f32 at the kernel.
        let oneMinusB1 = Float(1 - Double(beta1)), oneMinusB2 = Float(1 - Double(beta2))
        let (b2, eps, lr) = (beta2, self.eps, learningRate)
        for group in groups {
            let decay = Float(1 - lr * Double(group.weightDecay))
            for p in group.parameters {
                guard let g = p.gradStorage?.pointer else { continue }
                let s = advance(p)
                let t = Double(s.t)
                let stepSize = Float(learningRate / (1 - pow(Double(beta1), t)))
                let bc2 = Float((1 - pow(Double(beta2), t)).squareRoot())
                let w = p.data, m = s.m.pointer, v = s.v.pointer
                let apply = AdamWUpdate(decay: group.weightDecay != 0 ? decay : 1, oneMinusB1: oneMinusB1, beta2: b2,
                                        oneMinusB2: oneMinusB2, bc2: bc2, eps: eps, stepSize: stepSize)
                Parallel.forRange(p.count, grain: 1 << 15) { r in apply.run(w: w, m: m, v: v, g: g, range: r) }
            }
        }
    }

    /// Drops every parameter's gradient (PyTorch `zero_grad(set_to_none=True)`).
    public func zeroGrad() { for g in groups { for p in g.parameters { p.dropGrad() } } }

    /// The state of `p` with its step count advanced by one (created at t = 1).
    private func advance(_ p: Tensor) -> (m: Storage, v: Storage, t: Int) {
        let id = ObjectIdentifier(p)
        var s = state[id] ?? (m: Storage(count: p.count), v: Storage(count: p.count), t: 0)
        s.t += 1
        state[id] = s
        return s
    }

    /// The moments and step count of `p` (for checkpoints), or nil before its first update.
    public func moments(of p: Tensor) -> (m: [Float], v: [Float], step: Int)? {
        guard let s = state[ObjectIdentifier(p)] else { return nil }
        return (Array(UnsafeBufferPointer(start: s.m.pointer, count: p.count)),
                Array(UnsafeBufferPointer(start: s.v.pointer, count: p.count)), s.t)
    }

    /// Restores per-parameter moments and step counts, and the number of `step()` calls (resume).
    public func restore(stepCount: Int, moments: [(Tensor, m: [Float], v: [Float], step: Int)]) throws {
        for (p, m, v, t) in moments {
            guard m.count == p.count, v.count == p.count, t > 0 else {
                throw TensorError.shapeMismatch(op: "AdamW.restore", detail: "moments of \(p.name ?? "parameter") have \(m.count)/\(v.count) values for \(p.count), step \(t)")
            }
            let s = (m: Storage(count: p.count), v: Storage(count: p.count), t: t)
            m.withUnsafeBufferPointer { s.m.pointer.update(from: $0.baseAddress!, count: p.count) }
            v.withUnsafeBufferPointer { s.v.pointer.update(from: $0.baseAddress!, count: p.count) }
            state[ObjectIdentifier(p)] = s
        }
        self.stepCount = stepCount
    }
}

/// The element-wise AdamW update with its scalars fixed, eight lanes at a time. Every lane does
/// the same IEEE f32 operations in the same order as the scalar form in `AdamW`'s doc comment,
/// so results are identical to it (and to PyTorch's single-tensor kernel).
private struct AdamWUpdate {
    let decay, oneMinusB1, beta2, oneMinusB2, bc2, eps, stepSize: Float

    func run(w: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
             g: UnsafeMutablePointer<Float>, range: Range<Int>) {
        var i = range.lowerBound
        let end = range.upperBound
        typealias V8 = SIMD8<Float>
        while i + 8 <= end {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V8.self)
            var wi = UnsafeRawPointer(w + i).loadUnaligned(as: V8.self)
            var mi = UnsafeRawPointer(m + i).loadUnaligned(as: V8.self)
            var vi = UnsafeRawPointer(v + i).loadUnaligned(as: V8.self)
            if decay != 1 { wi *= decay }
            mi += oneMinusB1 * (gi - mi)
            vi = vi * beta2 + oneMinusB2 * gi * gi
            let denom = vi.squareRoot() / bc2 + eps
            wi += -stepSize * (mi / denom)
            UnsafeMutableRawPointer(w + i).storeBytes(of: wi, as: V8.self)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V8.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V8.self)
            i += 8
        }
        while i < end {
            if decay != 1 { w[i] *= decay }
            m[i] += oneMinusB1 * (g[i] - m[i])
            v[i] = v[i] * beta2 + oneMinusB2 * g[i] * g[i]
            let denom = v[i].squareRoot() / bc2 + eps
            w[i] += -stepSize * (m[i] / denom)
            i += 1
        }
    }
}

/// Global gradient-norm clipping — `torch.nn.utils.clip_grad_norm_`: the total L2 norm over every
/// gradient; if above `maxNorm`, every gradient is scaled by `maxNorm / (norm + 1e-6)`.
/// Returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var sq: Float = 0
    for p in parameters { if let g = p.gradStorage?.pointer { let n = dot(g, g, p.count).squareRoot(); sq += n * n } }
    let norm = sq.squareRoot()
    let coef = min(maxNorm / (norm + 1e-6), 1)
    if coef < 1 {
        for p in parameters { if let g = p.gradStorage?.pointer { for i in 0..<p.count { g[i] *= coef } } }
    }
    return norm
}
