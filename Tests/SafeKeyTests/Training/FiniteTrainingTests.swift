import Foundation
import XCTest
import Models
import SafeKey
import Tensor

/// Issue 20, item 3: training stops at the first non-finite loss or gradient, before the optimizer
/// applies it, never saves a non-finite checkpoint, and refuses options outside their range.
final class FiniteTrainingTests: XCTestCase {
    private func options() -> TrainerOptions {
        var o = TrainerOptions()
        o.epochs = 1; o.lastKEpochs = 1; o.batchSize = 2; o.shuffle = false; o.learningRate = 1e-3
        return o
    }

    func testNaNSafetyHeadStopsAtStepOneNamingTheTerm() throws {
        let head = TrainerFixture.head()
        head.parameters[0].data[0] = .nan
        let model = try TrainerFixture.model()
        let before = model.parameters.map(\.values)
        let trainer = try Trainer(model: model, head: head, examples: try TrainerFixture.encoded(), padId: 151643, options: options())
        var checkpoints = 0
        XCTAssertThrowsError(try trainer.run { _ in checkpoints += 1 }) { e in
            guard case let TrainingError.nonFinite(detail) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(detail.hasPrefix("step 1: the total loss is NaN"), detail)
        }
        XCTAssertEqual(checkpoints, 0)
        XCTAssertEqual(trainer.globalStep, 0)
        XCTAssertEqual(model.parameters.map(\.values), before, "the bad step must not be applied")
    }

    func testNaNBaseWeightStopsTraining() throws {
        let model = try TrainerFixture.model()
        model.parameters[1].data[3] = .nan   // layer 0's input norm
        let trainer = try Trainer(model: model, head: TrainerFixture.head(), examples: try TrainerFixture.encoded(), padId: 151643, options: options())
        XCTAssertThrowsError(try trainer.run()) { e in
            XCTAssertTrue("\(e)".contains("step 1"), "\(e)")
        }
    }

    func testNonFiniteParametersAreNeverSaved() throws {
        let model = try TrainerFixture.model()
        let trainer = try Trainer(model: model, head: TrainerFixture.head(), examples: try TrainerFixture.encoded(), padId: 151643, options: options())
        model.parameters[2].data[0] = .infinity
        let out = NSTemporaryDirectory() + "finite-\(UUID().uuidString)"
        XCTAssertThrowsError(try TrainingCheckpoint.save(trainer, output: out)) { e in
            XCTAssertTrue("\(e)".contains(model.parameters[2].name ?? "?"), "\(e)")
            XCTAssertTrue("\(e)".contains("nothing was saved"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/checkpoint"))
    }

    func testOptionsOutsideTheirRangeAreRefused() {
        func refused(_ flag: String, _ edit: (inout TrainerOptions) -> Void) {
            var o = options()
            edit(&o)
            XCTAssertThrowsError(try o.validate(), flag) { e in XCTAssertTrue("\(e)".contains(flag), "\(e)") }
        }
        refused("--lr") { $0.learningRate = .nan }
        refused("--lr") { $0.learningRate = 1e30 }
        refused("--lr") { $0.learningRate = -5 }
        refused("--betas") { $0.betas = (1.5, 2) }
        refused("--betas") { $0.betas = (0.9, .nan) }
        refused("--warmup-ratio") { $0.warmupRatio = 2 }
        refused("--warmup-ratio") { $0.warmupRatio = .infinity }
        refused("--epochs") { $0.epochs = 0 }
        refused("--max-grad-norm") { $0.maxGradNorm = .nan }
        refused("--weight-decay") { $0.weightDecay = -1 }
        refused("--head-theta") { $0.objective.headTheta = 2 }
        XCTAssertNoThrow(try options().validate())
        XCTAssertNoThrow(try TrainerOptions().validate())
    }
}
