import Foundation
import XCTest
import Tensor

/// Finite-difference gradient checks for every op: central differences of
/// `L(x) = Σ out(x) ⊙ dy` (evaluated in f32) against the analytic gradient from backward.
///
/// Tolerance: `|analytic − numeric| ≤ 3e-3 + 3e-2·|numeric|` with step `h = 1e-2`. f32 rounding
/// in `L` is ~1e-6·Σ|out·dy| ≈ 1e-5, divided by `2h` gives ≈ 5e-4 of noise; the truncation error
/// is O(h²·f''') ≈ 1e-4 relative for these smooth ops. Inputs are checked at up to 24 sampled
/// elements each (all elements for small tensors).
final class GradCheckTests: XCTestCase {
    func testEveryOpAgainstFiniteDifferences() throws {
        let fixture = try Fixtures.load("ops.json")
        for c in fixture["cases"] as? [[String: Any]] ?? [] {
            let name = c["name"] as? String ?? "?", op = c["op"] as? String ?? "?"
            let params = c["params"] as? [String: Any] ?? [:]
            let raw = (c["inputs"] as? [String: Any] ?? [:]).mapValues { FixtureTensor($0) }
            let dy = FixtureTensor(c["dy"])
            func loss(_ inputs: [String: Tensor]) throws -> Tensor {
                let out = try runOp(op, inputs, params)
                return try mul(out, try dy.tensor().reshaped(out.shape)).sum()
            }
            var inputs = raw.mapValues { $0.tensor(requiresGrad: true) }
            try loss(inputs).backward()
            for (key, base) in raw {
                let analytic = inputs[key]!.gradValues ?? []
                let n = base.data.count, stride = max(1, n / 24)
                for i in Swift.stride(from: 0, to: n, by: stride) {
                    let h: Float = 1e-2
                    func eval(_ delta: Float) throws -> Float {
                        var data = base.data
                        data[i] += delta
                        var perturbed = raw.mapValues { $0.tensor() }
                        perturbed[key] = Tensor(shape: base.shape, values: data)
                        return try GradMode.noGrad { try loss(perturbed).item }
                    }
                    let numeric = (try eval(h) - eval(-h)) / (2 * h)
                    let a = analytic[i]
                    XCTAssert(abs(a - numeric) <= 3e-3 + 3e-2 * abs(numeric),
                              "\(name): d/d\(key)[\(i)] analytic \(a) vs finite difference \(numeric)")
                }
            }
            inputs.removeAll()
        }
    }
}
