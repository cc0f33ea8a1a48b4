import Foundation
import Models
import Tensor

/// Which terms of the SafeKey objective are on, and their weights (METHOD.md; defaults = the
/// reference's `--key_sentence_weight 0.2 --head_weight 0.2 --head_theta 0.5`).
public struct ObjectiveOptions: Equatable {
    public var useQMM = true
    public var useDPSH = true
    public var keySentenceWeight: Float = 0.2
    public var headWeight: Float = 0.2
    public var headTheta: Float = 0.5
    /// The reference's `--key_sentence_prediction_mask_ablation`: QMM without hiding the prompt.
    public var qmmNoMask = false
    /// Probe only: hidden states detached; the loss is the head loss alone.
    public var detachHead = false
    public var gradientCheckpointing = false
    public init() {}
}

/// The losses of one micro-batch and the numbers the log reports.
public struct ObjectiveResult {
    /// The differentiable total (`sft + w_k·qmm + w_h·dpsh`, or the head loss alone when detached).
    public let total: Tensor
    public let sft: Float
    public let qmm: Float?
    public let head: Float?
    /// Correct argmax predictions / counted tokens, for response tokens and for K under the mask.
    public let tokenCorrect: Int, tokenCount: Int
    public let keyCorrect: Int, keyCount: Int
    public let tokens: Int
}

/// SafeKey's training objective over a right-padded micro-batch (METHOD.md):
///
/// - `sft`: next-token cross-entropy over every kept label (mean over the micro-batch's tokens);
/// - `qmm`: a second forward with every prompt position hidden as a key from every query (positions
///   unchanged), cross-entropy on K's tokens (sum / count);
/// - `dpsh`: the two safety heads on the first pass's final-norm hidden states.
/// `auxiliary` switches QMM and DPSH on (the last-k-epochs gate).
public enum SafeKeyObjective {
    public static func evaluate(model: DecoderModel, head: SafetyHead?, batch examples: [EncodedExample],
                                padId: Int, options: ObjectiveOptions, auxiliary: Bool) throws -> ObjectiveResult {
        guard !examples.isEmpty else { throw TrainingError.noData("empty micro-batch") }
        let b = examples.count, t = examples.map(\.length).max()!
        var ids = [Int](repeating: padId, count: b * t)
        var sftTargets = [Int](repeating: -100, count: b * t)     // position i predicts label i+1
        var keyTargets = [Int](repeating: 0, count: b * t)
        var keyWeights = [Float](repeating: 0, count: b * t)
        var hidden = [Bool](repeating: false, count: b * t)       // QMM: prompt and padding hidden
        for (r, e) in examples.enumerated() {
            for i in 0..<t {
                let k = r * t + i
                if i < e.length { ids[k] = e.inputIds[i] } else { hidden[k] = true }
                if i < e.promptLength { hidden[k] = true }
                if i + 1 < e.length {
                    sftTargets[k] = e.labels[i + 1]
                    if e.auxiliary && e.keyMask[i + 1] == 1 { keyTargets[k] = e.inputIds[i + 1]; keyWeights[k] = 1 }
                }
            }
        }
        let useQMM = auxiliary && options.useQMM && keyWeights.contains(1)
        let auxRows = examples.map { $0.auxiliary ? Float(1) : 0 }
        let useDPSH = auxiliary && options.useDPSH && head != nil && auxRows.contains(1)

        // The LM head and cross-entropy run fused in row chunks (`linearMaskedCrossEntropy`): the
        // [B·T, V] logits (5 GB for a 151,936-token vocabulary at T = 8192) never exist at once.
        let hiddenStates = try model.hiddenStates(ids: ids, batch: b, checkpointLayers: options.gradientCheckpointing)
        let sftHead = try linearMaskedCrossEntropy(hiddenStates, weight: model.lmHead, targets: sftTargets,
                                                   mask: sftTargets.map { $0 == -100 ? 0 : 1 })
        let sft = sftHead.loss
        let (tokenCorrect, tokenCount) = (sftHead.correct, sftHead.counted)
        var total = sft
        var qmmValue: Float?, headValue: Float?
        var keyCorrect = 0, keyCount = 0
        if useQMM && !options.detachHead {
            let masked = options.qmmNoMask ? hiddenStates
                : try model.hiddenStates(ids: ids, batch: b, hiddenKeys: hidden, checkpointLayers: options.gradientCheckpointing)
            let qmm = try linearMaskedCrossEntropy(masked, weight: model.lmHead, targets: keyTargets, mask: keyWeights)
            (keyCorrect, keyCount) = (qmm.correct, qmm.counted)
            qmmValue = qmm.loss.item
            total = try add(total, scale(qmm.loss, options.keySentenceWeight))
        }
        if useDPSH, let head {
            let h = options.detachHead ? hiddenStates.detached() : hiddenStates
            let understanding = examples.map { $0.auxiliary ? (start: $0.promptLength, end: $0.keyStart) : (start: 0, end: 1) }
            let context = examples.map { $0.auxiliary ? (start: 0, end: $0.keyStart) : (start: 0, end: 1) }
            let loss = try head.loss(hidden: h, understanding: understanding, context: context,
                                     labels: examples.map { $0.unsafe ? 1 : 0 }, weights: auxRows, theta: options.headTheta)
            headValue = loss.item
            total = options.detachHead ? loss : try add(total, scale(loss, options.headWeight))
        }
        return ObjectiveResult(total: total, sft: sft.item, qmm: qmmValue, head: headValue,
                               tokenCorrect: tokenCorrect, tokenCount: tokenCount, keyCorrect: keyCorrect, keyCount: keyCount,
                               tokens: examples.reduce(0) { $0 + $1.length })
    }
}
