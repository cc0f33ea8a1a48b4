import XCTest
import Tensor

/// The tape: inference mode records nothing; gradients accumulate across backward calls;
/// gradient checkpointing gives the same gradients as the plain graph.
final class TapeTests: XCTestCase {
    private func block(_ x: Tensor, _ w: Tensor, _ g: Tensor) throws -> Tensor {
        let h = try rmsNorm(x, weight: g, eps: 1e-6)
        return try add(x, swiglu(gate: linear(h, weight: w), up: h))
    }

    func testNoGradRecordsNothing() throws {
        let w = Tensor.parameter(shape: [2, 2], values: [1, 2, 3, 4])
        let y = try GradMode.noGrad { try matmul(Tensor(shape: [1, 2], values: [1, 1]), w) }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertThrowsError(try y.sum().backward())
    }

    /// `backward(onLeafReady:)` (data-parallel bucketing, issue 19): each parameter is reported
    /// once, only after every op that reads it has run — its gradient at that moment is final —
    /// and in backward order (the parameter read last in forward first).
    func testLeafReadyReportsEachParameterOnceWithItsFinalGradient() throws {
        let w1 = Tensor.parameter(shape: [2, 2], values: [0.5, -1, 2, 0.25], name: "w1")
        let w2 = Tensor.parameter(shape: [2, 2], values: [1, 0.5, -0.5, 1.5], name: "w2")
        let x = Tensor(shape: [1, 2], values: [1, -2])
        // w1 is read twice, at the start and again at the end; w2 once in between.
        let h = try matmul(x, w1)
        let y = try add(matmul(h, w2), matmul(x, w1))
        let loss = try mul(y, y).sum()
        var reported: [(String, [Float])] = []
        try loss.backward { leaf in reported.append((leaf.name ?? "?", leaf.gradValues ?? [])) }
        XCTAssertEqual(reported.map(\.0), ["w2", "w1"], "each parameter once, the later-read one first")
        for (name, grad) in reported {
            XCTAssertEqual(grad, name == "w1" ? w1.gradValues : w2.gradValues, "\(name) was reported before its gradient was complete")
        }
    }

    func testGradientsAccumulateAndZero() throws {
        let w = Tensor.parameter(shape: [2], values: [1, 2])
        try mul(w, w).sum().backward()
        try mul(w, w).sum().backward()
        XCTAssertEqual(w.gradValues, [4, 8])
        w.zeroGrad()
        XCTAssertEqual(w.gradValues, [0, 0])
    }

    func testCheckpointingMatchesPlainGradients() throws {
        let values = (0..<24).map { Float(($0 * 37) % 11) / 7 - 0.6 }
        func run(checkpoint: Bool) throws -> ([Float], [Float], [Float]) {
            let x = Tensor(shape: [2, 3, 4], values: values, requiresGrad: true)
            let w = Tensor.parameter(shape: [4, 4], values: (0..<16).map { Float($0 % 5) / 5 - 0.3 })
            let g = Tensor.parameter(shape: [4], values: [1, 0.5, -0.25, 2])
            var h = x
            for _ in 0..<3 {
                h = checkpoint ? try checkpointed([h]) { try self.block($0[0], w, g) } : try block(h, w, g)
            }
            try mul(h, h).sum().backward()
            return (x.gradValues ?? [], w.gradValues ?? [], g.gradValues ?? [])
        }
        let plain = try run(checkpoint: false), ckpt = try run(checkpoint: true)
        assertClose(ckpt.0, plain.0, atol: 1e-6, rtol: 1e-5, "dx")
        assertClose(ckpt.1, plain.1, atol: 1e-6, rtol: 1e-5, "dw")
        assertClose(ckpt.2, plain.2, atol: 1e-6, rtol: 1e-5, "dg")
        XCTAssertFalse(plain.1.allSatisfy { $0 == 0 })
    }
}
