import Foundation
import XCTest
import Tensor

/// Every op's forward and input gradients against PyTorch (Tests/Fixtures/tensor/ops.json, made by
/// Scripts/make_tensor_fixtures.py), within 1e-5 absolute + 1e-4 relative. The gradient is that
/// of `sum(out ⊙ dy)` for the fixture's random `dy`.
final class OpParityTests: XCTestCase {
    func testEveryOpMatchesPyTorch() throws {
        let fixture = try Fixtures.load("ops.json")
        let cases = fixture["cases"] as? [[String: Any]] ?? []
        XCTAssertGreaterThanOrEqual(cases.count, 20, "fixture lists too few cases")
        var ops = Set<String>()
        for c in cases {
            let name = c["name"] as? String ?? "?", op = c["op"] as? String ?? "?"
            ops.insert(op)
            let rawInputs = c["inputs"] as? [String: Any] ?? [:]
            var inputs: [String: Tensor] = [:]
            for (k, v) in rawInputs { inputs[k] = FixtureTensor(v).tensor(requiresGrad: true) }
            let out = try runOp(op, inputs, c["params"] as? [String: Any] ?? [:])
            let expected = FixtureTensor(c["output"])
            XCTAssertEqual(out.shape, expected.shape, "\(name): output shape")
            assertClose(out.values, expected.data, atol: 1e-5, rtol: 1e-4, "\(name): forward")
            let dy = FixtureTensor(c["dy"]).tensor()
            let loss = try mul(out, try dy.reshaped(out.shape)).sum()
            try loss.backward()
            for (k, g) in c["grads"] as? [String: Any] ?? [:] {
                guard let actual = inputs[k]?.gradValues else { XCTFail("\(name): no gradient for \(k)"); continue }
                assertClose(actual, FixtureTensor(g).data, atol: 1e-5, rtol: 1e-4, "\(name): d/d\(k)")
            }
        }
        let required: Set<String> = ["matmul", "linear", "add", "mul", "scale", "addBias", "embedding", "rmsNorm", "rope",
                                     "swiglu", "swigluMLP", "attention", "crossEntropy", "maskedCrossEntropy",
                                     "spanMeanPool", "bceWithLogits"]
        XCTAssertEqual(required.subtracting(ops), [], "ops without a PyTorch fixture")
    }
}
