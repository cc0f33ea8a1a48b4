import Foundation
import XCTest
import Tensor

/// AdamW (two parameter groups) + global-norm clipping + cosine schedule with warm-up against
/// PyTorch/transformers for 10 steps (Tests/Fixtures/tensor/adamw.json): parameters within 1e-6
/// relative, learning rates and gradient norms too.
final class AdamWTests: XCTestCase {
    func testTenStepsMatchPyTorch() throws {
        let f = try Fixtures.load("adamw.json")
        let initial = f["init"] as? [String: Any] ?? [:]
        let w = FixtureTensor(initial["w"]).tensor(requiresGrad: true)
        let b = FixtureTensor(initial["b"]).tensor(requiresGrad: true)
        let decays = f.floats("weightDecay"), betas = f.floats("betas")
        let opt = AdamW(groups: [ParameterGroup(parameters: [w], weightDecay: decays[0]),
                                 ParameterGroup(parameters: [b], weightDecay: decays[1])],
                        learningRate: (f["lr"] as? Double) ?? .nan, betas: (betas[0], betas[1]), eps: f.float("eps"))
        let schedule = CosineWarmupSchedule(baseLearningRate: (f["lr"] as? Double) ?? .nan,
                                            warmupSteps: f.ints("warmup").first ?? (f["warmup"] as? Int ?? 0),
                                            totalSteps: f["total"] as? Int ?? 0)
        let steps = f["steps"] as? [[String: Any]] ?? []
        XCTAssertEqual(steps.count, 10)
        for (i, s) in steps.enumerated() {
            w.zeroGrad(); b.zeroGrad()
            // Seed the gradients given by the fixture through a linear loss Σ p ⊙ g.
            let gw = FixtureTensor(s["gw"]).tensor(), gb = FixtureTensor(s["gb"]).tensor()
            try add(mul(w, gw).sum(), mul(b, gb).sum()).backward()
            let lr = schedule.learningRate(at: i)
            XCTAssertEqual(lr, (s["lr"] as? Double) ?? .nan, accuracy: 1e-12, "learning rate at step \(i)")
            opt.learningRate = lr
            let norm = clipGradNorm([w, b], maxNorm: f.float("maxNorm"))
            XCTAssertEqual(norm, s.float("norm"), accuracy: 1e-5 * max(1, s.float("norm")), "grad norm at step \(i)")
            opt.step()
            assertClose(w.values, FixtureTensor(s["w"]).data, atol: 0, rtol: 1e-6, "w after step \(i + 1)")
            assertClose(b.values, FixtureTensor(s["b"]).data, atol: 0, rtol: 1e-6, "b after step \(i + 1)")
        }
    }

    func testScheduleValuesMatchTransformersFormula() {
        let s = CosineWarmupSchedule(baseLearningRate: 1e-5, warmupSteps: 5, totalSteps: 100)
        XCTAssertEqual(s.learningRate(at: 0), 0)
        XCTAssertEqual(s.learningRate(at: 5), 1e-5, accuracy: 1e-18)
        XCTAssertEqual(s.learningRate(at: 100), 0, accuracy: 1e-18)
        // Past the end transformers does not clamp the progress: the cosine rises again.
        XCTAssertEqual(s.learningRate(at: 200), 1e-5 * 0.5 * (1 + cos(Double.pi * 195 / 95)), accuracy: 1e-18)
    }
}
