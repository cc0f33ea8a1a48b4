import Foundation
import TestSupport
import XCTest
import Models
import SafeKey
import Tensor

/// The SafeKey objective and trainer against the PyTorch re-implementation
/// (Scripts/make_trainer_fixtures.py): per-record losses within 1e-4, and the per-step log of
/// 6 optimizer steps (batch 2, accumulation 2, QMM + DPSH switched on in the last epoch) within
/// 1e-3 relative.
final class TrainerParityTests: XCTestCase {
    func testPerRecordLossesMatchPyTorch() throws {
        let expected = try TrainerFixture.json("expected.json")["losses"]?.arrayValue ?? []
        let examples = try TrainerFixture.encoded()
        XCTAssertEqual(expected.count, 6)
        let model = try TrainerFixture.model(), head = TrainerFixture.head()
        for (e, x) in zip(examples, expected) {
            let r = try GradMode.noGrad {
                try SafeKeyObjective.evaluate(model: model, head: head, batch: [e], padId: 151643,
                                              options: ObjectiveOptions(), auxiliary: true)
            }
            let d = { (k: String) in Float(x[k]?.doubleValue ?? .nan) }
            XCTAssertEqual(r.sft, d("sft_loss"), accuracy: 1e-4, "sft, record \(e.line)")
            XCTAssertEqual(r.qmm ?? .nan, d("qmm_loss"), accuracy: 1e-4, "qmm, record \(e.line)")
            XCTAssertEqual(r.head ?? .nan, d("head_loss"), accuracy: 1e-4, "head, record \(e.line)")
            XCTAssertEqual(r.total.item, d("total"), accuracy: 1e-4, "total, record \(e.line)")
        }
    }

    func testSixOptimizerStepsMatchPyTorch() throws {
        let fixture = try TrainerFixture.json("expected.json")
        let options = TrainerFixture.options(fixture["options"])
        let trainer = try Trainer(model: try TrainerFixture.model(), head: TrainerFixture.head(),
                                  examples: try TrainerFixture.encoded(), padId: 151643, options: options)
        try trainer.run()
        let steps = fixture["steps"]?.arrayValue ?? []
        XCTAssertEqual(trainer.logs.count, steps.count)
        XCTAssertEqual(steps.count, 6)
        for (log, s) in zip(trainer.logs, steps) {
            func close(_ a: Double?, _ key: String) {
                guard let b = s[key]?.doubleValue else { XCTAssertNil(a, "\(key) at step \(log.step)"); return }
                guard let a else { XCTFail("\(key) missing at step \(log.step)"); return }
                XCTAssertEqual(a, b, accuracy: 1e-3 * abs(b), "\(key) at step \(log.step)")
            }
            close(log.loss, "loss"); close(log.sft_loss, "sft_loss"); close(log.qmm_loss, "qmm_loss")
            close(log.head_loss, "head_loss"); close(log.grad_norm, "grad_norm")
            XCTAssertEqual(log.lr, s["lr"]?.doubleValue ?? .nan, accuracy: 1e-12)
            XCTAssertEqual(log.epoch, s["epoch"]?.intValue)
        }
    }
}
