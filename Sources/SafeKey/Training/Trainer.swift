import Collectives
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
///
/// Data parallelism (issue 19): with a `collective` of N ranks, each optimizer step takes
/// `batchSize × gradAccum × N` examples — the micro-batches of a single process with
/// `gradAccum × N` accumulation, in the same order — and rank r runs micro-batches r, r + N, ….
/// Every rank scales its losses by 1 / (the step's micro-batches, all ranks), the
/// `GradientReducer` sums the gradients over ranks in buckets while the last backward runs, the
/// step's loss figures are summed over ranks, and every rank takes the same AdamW step. The data
/// order, the last-k gate and the schedule are those of the single process.
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
    /// The ranks sharing each step (`SingleProcess` unless under mpirun).
    public let collective: Collective
    /// Micro-batches of one optimizer step over all ranks: `gradAccum × collective.size`.
    public let microBatchesPerStep: Int
    /// The bucketed gradient all-reduce (nil in a single process); its `stats` say how much
    /// communication backward hid.
    public private(set) var reducer: GradientReducer?
    /// Gradient bucket size of the all-reduce (PyTorch DDP's default, 25 MB).
    public var bucketBytes = 25 << 20
    /// Optimizer steps taken so far (all epochs).
    public private(set) var globalStep = 0
    public private(set) var logs: [StepLog] = []
    /// Called after every optimizer step; return false to stop.
    public var onStep: ((StepLog) -> Bool)?

    public init(model: DecoderModel, head: SafetyHead, examples: [EncodedExample], padId: Int, options: TrainerOptions,
                collective: Collective = SingleProcess()) throws {
        guard !examples.isEmpty else { throw TrainingError.noData("no encodable training records") }
        try options.validate()
        self.collective = collective
        microBatchesPerStep = options.gradAccum * collective.size
        self.model = model
        self.head = head
        self.examples = examples
        self.padId = padId
        self.options = options
        let batches = (examples.count + options.batchSize - 1) / options.batchSize
        stepsPerEpoch = (batches + microBatchesPerStep - 1) / microBatchesPerStep
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

    /// Micro-batches (lists of example indices) of each optimizer step of `epoch`, all ranks.
    public func steps(epoch: Int) -> [[[Int]]] {
        let o = order(epoch: epoch)
        let batches = stride(from: 0, to: o.count, by: options.batchSize).map { Array(o[$0..<min($0 + options.batchSize, o.count)]) }
        let per = microBatchesPerStep
        return stride(from: 0, to: batches.count, by: per).map { Array(batches[$0..<min($0 + per, batches.count)]) }
    }

    /// This rank's share of a step's micro-batches: numbers rank, rank + N, … (a short last step
    /// may leave a rank none; it then contributes zeros).
    public func share(of window: [[Int]]) -> [[Int]] {
        stride(from: collective.rank, to: window.count, by: collective.size).map { window[$0] }
    }

    /// Runs from the current position to the end (or `maxSteps`). `checkpoint` is called whenever
    /// a resumable checkpoint is due (epoch ends, every `checkpointEvery` steps).
    public func run(checkpoint: (Trainer) throws -> Void = { _ in }) throws {
        let all = model.parameters + head.parameters
        if collective.size > 1 && reducer == nil {
            // Reverse forward order: backward completes the heads and the last layers first.
            reducer = GradientReducer(parameters: all.reversed(), collective: collective, bucketBytes: bucketBytes)
        }
        while globalStep < totalSteps {
            if let m = options.maxSteps, globalStep >= m { return }
            let epoch = globalStep / stepsPerEpoch, inEpoch = globalStep % stepsPerEpoch
            let window = steps(epoch: epoch)[inEpoch]
            let aux = options.auxiliaryOn(epoch: epoch)
            let start = Date()
            optimizer.zeroGrad()
            reducer?.begin()
            // The step's figures, summed here over this rank's micro-batches, then over ranks:
            // loss, SFT, QMM, QMM count, head, head count, token/key correct and counted, tokens.
            var f = [Double](repeating: 0, count: 11)
            let mine = share(of: window)
            for (k, micro) in mine.enumerated() {
                let result = try SafeKeyObjective.evaluate(model: model, head: head, batch: micro.map { examples[$0] },
                                                           padId: padId, options: options.objective, auxiliary: aux)
                try backward(scale(result.total, 1 / Float(window.count)), last: k == mine.count - 1)
                f[0] += Double(result.total.item); f[1] += Double(result.sft)
                if let q = result.qmm { f[2] += Double(q); f[3] += 1 }
                if let h = result.head { f[4] += Double(h); f[5] += 1 }
                f[6] += Double(result.tokenCorrect); f[7] += Double(result.tokenCount)
                f[8] += Double(result.keyCorrect); f[9] += Double(result.keyCount); f[10] += Double(result.tokens)
            }
            try reducer?.finish()
            try f.withUnsafeMutableBufferPointer { try collective.allReduceSum($0) }
            let (loss, sft, qmm, qmmN, headLoss, headN) = (f[0], f[1], f[2], Int(f[3]), f[4], Int(f[5]))
            let (tc, tn, kc, kn, tokens) = (Int(f[6]), Int(f[7]), Int(f[8]), Int(f[9]), Int(f[10]))
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

    /// Backward of one micro-batch's scaled loss. On this rank's last micro-batch of the step the
    /// reducer hears of each parameter's gradient as it completes and starts its buckets then;
    /// not under gradient checkpointing, where layer weights get their gradients inside the
    /// recomputation and the buckets start after backward instead.
    private func backward(_ loss: Tensor, last: Bool) throws {
        guard let reducer, last, !options.objective.gradientCheckpointing else { return try loss.backward() }
        var failure: Error?
        try loss.backward { leaf in
            guard failure == nil else { return }
            do { try reducer.leafReady(leaf) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Restores the position after a checkpoint (parameters and moments are loaded by the caller).
    public func restore(step: Int) { globalStep = step }
}
