/// `safekey train` settings; defaults are the reference implementation's (METHOD.md,
/// "Training hyper-parameters"), except batch 1 × accumulation 1 for a single CPU. What the trainer
/// does not read stays out: the sequence cut (`--max-seq-len`) is the encoder's, the saved dtype
/// and per-epoch saves are the command's.
public struct TrainerOptions {
    public var epochs = 5
    /// QMM and DPSH are on in 0-based epoch `e` when `e > epochs − lastKEpochs − 1`.
    public var lastKEpochs = 2
    public var learningRate = 1e-5
    public var betas: (Float, Float) = (0.9, 0.95)
    public var weightDecay: Float = 1e-4
    public var warmupRatio = 0.05
    public var batchSize = 1
    public var gradAccum = 1
    public var seed: UInt64 = 2002
    public var shuffle = true
    public var objective = ObjectiveOptions()
    public var maxGradNorm: Float?
    /// Stop after this many optimizer steps in total (the schedule still spans the full run).
    public var maxSteps: Int?
    /// Write a resumable checkpoint every N optimizer steps (0: only at epoch ends).
    public var checkpointEvery = 0
    public init() {}

    /// Whether the auxiliary objectives are on in 0-based `epoch`.
    public func auxiliaryOn(epoch: Int) -> Bool { epoch > epochs - lastKEpochs - 1 }
}

/// One line of the training log (JSONL), one per optimizer step.
public struct StepLog: Codable, Equatable {
    public var step: Int
    public var epoch: Int
    public var lr: Double
    public var loss: Double
    public var sft_loss: Double
    public var qmm_loss: Double?
    public var head_loss: Double?
    public var token_acc: Double
    public var key_acc: Double?
    public var grad_norm: Double
    public var tokens_per_s: Double
}
