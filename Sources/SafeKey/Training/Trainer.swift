import Foundation
import Models
import Tensor

/// The SafeKey trainer (issue 5): epochs of shuffled micro-batches, gradient accumulation,
/// AdamW with the cosine warm-up schedule, the last-k-epochs gate for QMM and DPSH, resumable
/// checkpoints, and a JSONL log.
///
/// Determinism: the data order of epoch `e` is a Fisher–Yates shuffle seeded by `seed + e`, so a
/// resumed run needs only (epoch, step) to continue exactly; parameters, safety head and AdamW
/// moments are checkpointed in f32.
public final class Trainer {
    public let model: DecoderModel
    public let head: SafetyHead
    public let options: TrainerOptions
    public let examples: [EncodedExample]
    public let padId: Int
    public let optimizer: AdamW
    public let schedule: CosineWarmupSchedule
    public let stepsPerEpoch: Int
    public let totalSteps: Int
    /// Optimizer steps taken so far (all epochs).
    public private(set) var globalStep = 0
    public private(set) var logs: [StepLog] = []
    /// Called after every optimizer step; return false to stop.
    public var onStep: ((StepLog) -> Bool)?

    public init(model: DecoderModel, head: SafetyHead, examples: [EncodedExample], padId: Int, options: TrainerOptions) throws {
        guard !examples.isEmpty else { throw TrainingError.noData("no encodable training records") }
        try options.validate()
        self.model = model
        self.head = head
        self.examples = examples
        self.padId = padId
        self.options = options
        let batches = (examples.count + options.batchSize - 1) / options.batchSize
        stepsPerEpoch = (batches + options.gradAccum - 1) / options.gradAccum
        totalSteps = stepsPerEpoch * options.epochs
        schedule = CosineWarmupSchedule(baseLearningRate: options.learningRate,
                                        warmupSteps: Int(options.warmupRatio * Double(totalSteps)), totalSteps: totalSteps)
        // Weight decay on every parameter but biases (the reference's no-decay list matches no
        // Llama/Qwen2 norm name, so norms do decay).
        let all = model.parameters + head.parameters
        let decay = all.filter { !($0.name ?? "").hasSuffix("bias") }
        let noDecay = all.filter { ($0.name ?? "").hasSuffix("bias") }
        optimizer = AdamW(groups: [ParameterGroup(parameters: decay, weightDecay: options.weightDecay),
                                   ParameterGroup(parameters: noDecay, weightDecay: 0)],
                          learningRate: options.learningRate, betas: options.betas, eps: 1e-8)
    }

    /// Order of the examples in `epoch`.
    public func order(epoch: Int) -> [Int] {
        var idx = Array(examples.indices)
        guard options.shuffle else { return idx }
        var rng = RandomSource(seed: options.seed &+ UInt64(epoch))
        for i in stride(from: idx.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            idx.swapAt(i, j)
        }
        return idx
    }

    /// Micro-batches (lists of example indices) of each optimizer step of `epoch`.
    public func steps(epoch: Int) -> [[[Int]]] {
        let o = order(epoch: epoch)
        let batches = stride(from: 0, to: o.count, by: options.batchSize).map { Array(o[$0..<min($0 + options.batchSize, o.count)]) }
        return stride(from: 0, to: batches.count, by: options.gradAccum).map { Array(batches[$0..<min($0 + options.gradAccum, batches.count)]) }
    }

    /// Runs from the current position to the end (or `maxSteps`). `checkpoint` is called whenever
    /// a resumable checkpoint is due (epoch ends, every `checkpointEvery` steps).
    public func run(checkpoint: (Trainer) throws -> Void = { _ in }) throws {
        let all = model.parameters + head.parameters
        while globalStep < totalSteps {
            if let m = options.maxSteps, globalStep >= m { return }
            let epoch = globalStep / stepsPerEpoch, inEpoch = globalStep % stepsPerEpoch
            let window = steps(epoch: epoch)[inEpoch]
            let aux = options.auxiliaryOn(epoch: epoch)
            let start = Date()
            optimizer.zeroGrad()
            var loss = 0.0, sft = 0.0, qmm = 0.0, headLoss = 0.0, qmmN = 0, headN = 0
            var tc = 0, tn = 0, kc = 0, kn = 0, tokens = 0
            for micro in window {
                let result = try SafeKeyObjective.evaluate(model: model, head: head, batch: micro.map { examples[$0] },
                                                           padId: padId, options: options.objective, auxiliary: aux)
                try scale(result.total, 1 / Float(window.count)).backward()
                loss += Double(result.total.item); sft += Double(result.sft)
                if let q = result.qmm { qmm += Double(q); qmmN += 1 }
                if let h = result.head { headLoss += Double(h); headN += 1 }
                tc += result.tokenCorrect; tn += result.tokenCount; kc += result.keyCorrect; kn += result.keyCount
                tokens += result.tokens
            }
            let lr = schedule.learningRate(at: globalStep)
            optimizer.learningRate = lr
            let norm = clipGradNorm(all, maxNorm: options.maxGradNorm ?? .infinity)
            try checkFinite(step: globalStep + 1, terms: [("total", loss), ("SFT", sft), ("QMM", qmm), ("safety-head", headLoss)],
                            gradNorm: norm, parameters: all)
            optimizer.step()
            globalStep += 1
            let n = Double(window.count)
            let log = StepLog(step: globalStep, epoch: epoch, lr: lr, loss: loss / n, sft_loss: sft / n,
                              qmm_loss: qmmN > 0 ? qmm / Double(qmmN) : nil, head_loss: headN > 0 ? headLoss / Double(headN) : nil,
                              token_acc: tn > 0 ? Double(tc) / Double(tn) : 0, key_acc: kn > 0 ? Double(kc) / Double(kn) : nil,
                              grad_norm: Double(norm), tokens_per_s: Double(tokens) / max(Date().timeIntervalSince(start), 1e-9))
            logs.append(log)
            let due = globalStep % stepsPerEpoch == 0 || (options.checkpointEvery > 0 && globalStep % options.checkpointEvery == 0)
            // The step is reported (and logged) before its checkpoint is written: a run killed in
            // between resumes from the previous checkpoint and rewrites the log past it, so the
            // log never lacks a step that the checkpoint holds.
            let proceed = onStep?(log) ?? true
            if due { try checkpoint(self) }
            if !proceed { return }
        }
    }

    /// Restores the position after a checkpoint (parameters and moments are loaded by the caller).
    public func restore(step: Int) { globalStep = step }
}
