import Foundation

/// An L2-regularised logistic regression, written out (no library), deterministic: the probe of
/// ``ProbeAnalysis``.
///
/// Features are standardised with the training rows' per-feature mean and standard deviation
/// (population; a feature with deviation below 1e-12 is only centred). Then, with `y ∈ {0, 1}`,
/// `z = w·x + b` and `n` training rows, it minimises
///
///     (1/n) Σ log(1 + exp(z)) − y·z   +   (l2 / (2n)) ‖w‖²          (b not penalised)
///
/// — scikit-learn's `LogisticRegression(C = 1/l2)` objective divided by `n` — with L-BFGS (memory
/// 10, backtracking Armijo line search) in `Double` until the gradient's largest component is below
/// `tolerance` (default 1e-8: the weights are then within about 1e-8/λ of the optimum) or
/// `maxIterations` pass. The objective is strictly convex, so any
/// solver that converges reaches the same weights; `Scripts/make_analyze_fixtures.py` checks this
/// one against Newton's method.
public struct LogisticProbe {
    public let mean: [Double]
    public let scale: [Double]
    public let weights: [Double]
    public let bias: Double
    public let iterations: Int
    /// Largest gradient component at the end (≤ tolerance when it converged).
    public let gradientNorm: Double

    /// Fits on `rows` (each `features.count / rows.count` wide) with labels `y`.
    public init(features x: [Float], rows n: Int, labels y: [Bool], l2: Double = 1,
                tolerance: Double = 1e-8, maxIterations: Int = 5000) {
        let d = n > 0 ? x.count / n : 0
        var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 1, count: d)
        for r in 0..<n { for c in 0..<d { mean[c] += Double(x[r * d + c]) } }
        for c in 0..<d { mean[c] /= Double(max(n, 1)) }
        var variance = [Double](repeating: 0, count: d)
        for r in 0..<n { for c in 0..<d { let v = Double(x[r * d + c]) - mean[c]; variance[c] += v * v } }
        for c in 0..<d {
            let s = (variance[c] / Double(max(n, 1))).squareRoot()
            scale[c] = s > 1e-12 ? s : 1
        }
        var z = [Double](repeating: 0, count: n * d)
        for r in 0..<n { for c in 0..<d { z[r * d + c] = (Double(x[r * d + c]) - mean[c]) / scale[c] } }
        let target = y.map { $0 ? 1.0 : 0.0 }
        let lambda = l2 / Double(max(n, 1))
        // Parameters: d weights then the bias.
        // The hot loop (n·d per evaluation): raw buffers, no bounds checks.
        func objective(_ p: [Double], _ g: inout [Double]) -> Double {
            let invN = 1 / Double(max(n, 1))
            return z.withUnsafeBufferPointer { zb in
                p.withUnsafeBufferPointer { pb in
                    g.withUnsafeMutableBufferPointer { gb in
                        let pp = pb.baseAddress!, gp = gb.baseAddress!   // d + 1 ≥ 1 entries
                        gp.update(repeating: 0, count: d + 1)
                        guard let zp = zb.baseAddress else { return 0 }   // no rows or no features
                        var f = 0.0
                        for r in 0..<n {
                            let row = zp + r * d
                            var s = pp[d]
                            for c in 0..<d { s += pp[c] * row[c] }
                            // log(1 + e^s) − y s, computed stably.
                            f += (s > 0 ? s + log1p(exp(-s)) : log1p(exp(s))) - target[r] * s
                            let residual = 1 / (1 + exp(-s)) - target[r]
                            for c in 0..<d { gp[c] += residual * row[c] }
                            gp[d] += residual
                        }
                        var penalty = 0.0
                        for c in 0..<d {
                            gp[c] = gp[c] * invN + lambda * pp[c]
                            penalty += pp[c] * pp[c]
                        }
                        gp[d] *= invN
                        return f * invN + 0.5 * lambda * penalty
                    }
                }
            }
        }
        let (p, iterations, gnorm) = LBFGS.minimize(count: d + 1, tolerance: tolerance, maxIterations: maxIterations, objective)
        self.mean = mean
        self.scale = scale
        self.weights = Array(p[0..<d])
        self.bias = p[d]
        self.iterations = iterations
        self.gradientNorm = gnorm
    }

    /// The logit `w·standardise(x) + b` of each row of `x` (same width as the training rows).
    public func logits(_ x: [Float], rows n: Int) -> [Double] {
        let d = weights.count
        return (0..<n).map { r in
            var s = bias
            for c in 0..<d { s += weights[c] * (Double(x[r * d + c]) - mean[c]) / scale[c] }
            return s
        }
    }
}

/// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, Algorithm 7.4 and 7.5) with a
/// backtracking Armijo line search — enough for smooth convex objectives such as the probe's.
enum LBFGS {
    /// Minimises `f` from zero; returns the point, the iterations used and the final `‖∇f‖∞`.
    static func minimize(count n: Int, memory m: Int = 10, tolerance: Double, maxIterations: Int,
                         _ f: ([Double], inout [Double]) -> Double) -> ([Double], Int, Double) {
        var x = [Double](repeating: 0, count: n), g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rhoHistory: [Double] = []
        var gNew = g, xNew = x
        func infNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var s = 0.0
            for i in 0..<a.count { s += a[i] * b[i] }
            return s
        }
        var iteration = 0
        while iteration < maxIterations && infNorm(g) > tolerance {
            // Two-loop recursion: direction = −H·g.
            var q = g
            var alpha = [Double](repeating: 0, count: sHistory.count)
            for i in stride(from: sHistory.count - 1, through: 0, by: -1) {
                alpha[i] = rhoHistory[i] * dot(sHistory[i], q)
                for j in 0..<n { q[j] -= alpha[i] * yHistory[i][j] }
            }
            if let s = sHistory.last, let y = yHistory.last {
                let gamma = dot(s, y) / dot(y, y)
                for j in 0..<n { q[j] *= gamma }
            } else {
                let scale = 1 / max(infNorm(g), 1)
                for j in 0..<n { q[j] *= scale }
            }
            for i in 0..<sHistory.count {
                let beta = rhoHistory[i] * dot(yHistory[i], q)
                for j in 0..<n { q[j] += sHistory[i][j] * (alpha[i] - beta) }
            }
            var slope = -dot(g, q)
            if !(slope < 0) {   // not a descent direction (numerical trouble): restart along −g
                sHistory.removeAll(); yHistory.removeAll(); rhoHistory.removeAll()
                q = g
                slope = -dot(g, g)
            }
            var step = 1.0, fNew = fx, accepted = false
            for _ in 0..<60 {
                for j in 0..<n { xNew[j] = x[j] - step * q[j] }
                fNew = f(xNew, &gNew)
                if fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            iteration += 1
            if !accepted { break }   // no decrease representable in Double: converged as far as it can
            var s = [Double](repeating: 0, count: n), y = s
            for j in 0..<n { s[j] = xNew[j] - x[j]; y[j] = gNew[j] - g[j] }
            let sy = dot(s, y)
            if sy > 1e-300 {
                if sHistory.count == m { sHistory.removeFirst(); yHistory.removeFirst(); rhoHistory.removeFirst() }
                sHistory.append(s); yHistory.append(y); rhoHistory.append(1 / sy)
            }
            x = xNew
            g = gNew
            fx = fNew
        }
        return (x, iteration, infNorm(g))
    }
}
