import Foundation
import Models
import Tensor

/// Keeps non-finite numbers out of training: a step whose loss terms or gradients hold NaN or
/// ±infinity stops the run before the optimizer applies it (so the parameters, and the last
/// checkpoint, stay as they were), and nothing non-finite is ever saved.
extension Trainer {
    /// Throws `TrainingError.nonFinite` naming the step, the loss term or the first parameter
    /// whose gradient is not finite. `terms` are the step's summed loss terms; `gradNorm` is the
    /// global gradient norm (non-finite when any gradient is; the parameters are then scanned).
    func checkFinite(step: Int, terms: [(String, Double)], gradNorm: Float, parameters: [Tensor]) throws {
        for (name, value) in terms where !value.isFinite {
            throw TrainingError.nonFinite("step \(step): the \(name) loss is \(value.isNaN ? "NaN" : String(value)). "
                + "Lower --lr (now \(options.learningRate)), check --betas, or set --max-grad-norm; check the base weights and the safety head for NaN")
        }
        guard !gradNorm.isFinite else { return }
        for p in parameters {
            guard let g = p.gradStorage?.pointer, let bad = FiniteCheck.firstNonFinite(g, count: p.count) else { continue }
            throw TrainingError.nonFinite("step \(step): the gradient of \(p.name ?? "a parameter") is \(g[bad]) at element \(bad). "
                + "Lower --lr (now \(options.learningRate)) or set --max-grad-norm")
        }
        throw TrainingError.nonFinite("step \(step): the gradient norm overflowed to \(gradNorm) though each gradient is finite. "
            + "Lower --lr (now \(options.learningRate)) or set --max-grad-norm")
    }

    /// Throws `TrainingError.nonFinite` when a model or safety-head parameter holds NaN or
    /// ±infinity; called before anything is saved.
    public func checkParametersFinite() throws {
        for p in model.parameters + head.parameters {
            if let bad = p.firstNonFiniteIndex {
                throw TrainingError.nonFinite("after step \(globalStep): parameter \(p.name ?? "?") is \(p.data[bad]) at element \(bad); "
                    + "nothing was saved (the last checkpoint, if any, is intact). Lower --lr or set --max-grad-norm")
            }
        }
    }
}

extension TrainerOptions {
    /// Every option in its valid range, or `TrainingError.invalidOption` naming the flag.
    public func validate() throws {
        func bad(_ flag: String, _ value: Any, _ range: String) -> TrainingError {
            .invalidOption("\(flag) \(value) is outside its valid range \(range)")
        }
        guard epochs > 0 else { throw bad("--epochs", epochs, "1…") }
        guard lastKEpochs >= 0 else { throw bad("--last-k-epochs", lastKEpochs, "0…") }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else { throw bad("--lr", learningRate, "(0, 1]") }
        guard betas.0.isFinite, betas.1.isFinite, (0..<1).contains(betas.0), (0..<1).contains(betas.1) else {
            throw bad("--betas", "\(betas.0),\(betas.1)", "[0, 1) for each")
        }
        guard weightDecay.isFinite, weightDecay >= 0, weightDecay < 1 else { throw bad("--weight-decay", weightDecay, "[0, 1)") }
        guard warmupRatio.isFinite, (0...1).contains(warmupRatio) else { throw bad("--warmup-ratio", warmupRatio, "[0, 1]") }
        guard batchSize > 0 else { throw bad("--batch-size", batchSize, "1…") }
        guard gradAccum > 0 else { throw bad("--grad-accum", gradAccum, "1…") }
        if let m = maxGradNorm { guard m.isFinite, m > 0 else { throw bad("--max-grad-norm", m, "(0, ∞)") } }
        if let m = maxSteps { guard m > 0 else { throw bad("--max-steps", m, "1…") } }
        guard checkpointEvery >= 0 else { throw bad("--checkpoint-every", checkpointEvery, "0…") }
        let o = objective
        for (flag, v) in [("--key-sentence-weight", o.keySentenceWeight), ("--head-weight", o.headWeight)] {
            guard v.isFinite, v >= 0 else { throw bad(flag, v, "[0, ∞)") }
        }
        guard o.headTheta.isFinite, (0...1).contains(o.headTheta) else { throw bad("--head-theta", o.headTheta, "[0, 1]") }
    }
}
