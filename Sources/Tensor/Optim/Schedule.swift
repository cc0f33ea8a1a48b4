import Foundation

/// Cosine schedule with linear warm-up — transformers' `get_cosine_schedule_with_warmup`
/// (`num_cycles = 0.5`) through `LambdaLR`: the learning rate at scheduler step `s` (0 before the
/// first optimiser step) is `base · λ(s)` with
/// `λ(s) = s / max(1, warmup)` for `s < warmup`, else
/// `max(0, ½(1 + cos(π · 2·cycles · (s − warmup) / max(1, total − warmup))))`.
public struct CosineWarmupSchedule {
    public let baseLearningRate: Double
    public let warmupSteps: Int
    public let totalSteps: Int
    public let cycles: Double

    public init(baseLearningRate: Double, warmupSteps: Int, totalSteps: Int, cycles: Double = 0.5) {
        self.baseLearningRate = baseLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.cycles = cycles
    }

    /// The multiplier `λ(step)`.
    public func factor(at step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        return max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
    }

    /// The learning rate for the optimiser step taken after `step` scheduler steps.
    public func learningRate(at step: Int) -> Double { baseLearningRate * factor(at: step) }
}
