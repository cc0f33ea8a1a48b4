import ArgumentParser
import SafeKey

/// `--key-sentence-weight`, `--head-weight`, `--head-theta`: the weights of SafeKey's loss terms
/// (`total = sft + w_k·qmm + w_h·dpsh`, DPSH = θ·understanding + (1 − θ)·context), shared by `loss`
/// and `train` (METHOD.md, "Loss").
struct ObjectiveWeightOptions: ParsableArguments {
    @Option(help: "Weight of the QMM term (w_k).") var keySentenceWeight: Float = 0.2
    @Option(help: "Weight of the DPSH term (w_h).") var headWeight: Float = 0.2
    @Option(help: "θ: weight of the understanding path inside DPSH.") var headTheta: Float = 0.5

    func validate() throws {
        try OptionRange.within("--key-sentence-weight", Double(keySentenceWeight), 0...1e6)
        try OptionRange.within("--head-weight", Double(headWeight), 0...1e6)
        try OptionRange.within("--head-theta", Double(headTheta), 0...1)
    }

    /// Sets the three weights of `options`.
    func apply(to options: inout ObjectiveOptions) {
        options.keySentenceWeight = keySentenceWeight
        options.headWeight = headWeight
        options.headTheta = headTheta
    }
}

/// The flags of `safekey train` that become ``TrainerOptions`` (defaults: the reference
/// implementation's, METHOD.md "Training hyper-parameters"). ``trainerOptions`` is the one place
/// that maps flags to the trainer; ranges are checked by ``TrainerOptions/validate()``.
struct TrainerFlags: ParsableArguments {
    @Option(help: "Training epochs.") var epochs = 5
    @Option(help: "QMM and DPSH are on in the last k epochs.") var lastKEpochs = 2
    @Option(help: "Peak learning rate of AdamW (warm-up, then cosine decay).") var lr = 1e-5
    @Option(help: "AdamW betas, comma-separated.") var betas = Betas(0.9, 0.95)
    @Option(help: "AdamW weight decay (not on biases and norms).") var weightDecay: Float = 1e-4
    @Option(help: "Fraction of the optimizer steps spent warming up.") var warmupRatio = 0.05
    @Option(help: "Examples per micro-batch.") var batchSize = 1
    @Option(help: "Micro-batches accumulated per optimizer step.") var gradAccum = 1
    @Option(help: "Seed of the data order and of the safety head's and LoRA's initialisation.") var seed: UInt64 = 2002
    @Flag(help: "Keep the data order of the file.") var noShuffle = false
    @Option(help: "Objectives to use, comma-separated (sft required unless --detach-head).") var objectives = ObjectiveSet.all
    @OptionGroup var weights: ObjectiveWeightOptions
    @Flag(help: "QMM without hiding the prompt (the reference's mask ablation).") var qmmNoMask = false
    @Flag(help: "Probe only: detach hidden states from the heads; the loss is the head loss.") var detachHead = false
    @Option(help: "Clip the global gradient norm (off by default).") var maxGradNorm: Float?
    @Flag(help: "Recompute each layer in backward to save memory.") var gradientCheckpointing = false
    @Option(help: "Stop after N optimizer steps in total.") var maxSteps: Int?
    @Option(help: "Resumable checkpoint every N optimizer steps (default: epoch ends only).") var checkpointEvery = 0

    func validate() throws {
        do { try trainerOptions().validate() } catch let e as TrainingError { throw ValidationError(e.description) }
    }

    /// The trainer options the flags describe.
    func trainerOptions() throws -> TrainerOptions {
        guard objectives.contains(.sft) || detachHead else {
            throw TrainingError.invalidOption("--objectives \(objectives) lacks sft, which every run but --detach-head needs")
        }
        var o = TrainerOptions()
        o.epochs = epochs
        o.lastKEpochs = lastKEpochs
        o.learningRate = lr
        o.betas = (betas.beta1, betas.beta2)
        o.weightDecay = weightDecay
        o.warmupRatio = warmupRatio
        o.batchSize = batchSize
        o.gradAccum = gradAccum
        o.seed = seed
        o.shuffle = !noShuffle
        o.objective.useQMM = objectives.contains(.qmm)
        o.objective.useDPSH = objectives.contains(.dpsh)
        weights.apply(to: &o.objective)
        o.objective.qmmNoMask = qmmNoMask
        o.objective.detachHead = detachHead
        o.objective.gradientCheckpointing = gradientCheckpointing
        o.maxGradNorm = maxGradNorm
        o.maxSteps = maxSteps
        o.checkpointEvery = checkpointEvery
        return o
    }
}
