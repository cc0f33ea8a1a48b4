import Tensor

/// LoRA settings (PEFT `LoraConfig`): rank `r`, `lora_alpha`, `lora_dropout`, `target_modules`
/// (Hugging Face module names of the decoder layers' projections). Scale `α / r` (no rsLoRA).
public struct LoRAConfig: Equatable, Sendable {
    /// Every projection of a Qwen2 / Llama decoder layer — the default targets.
    public static let allProjections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    public var rank: Int
    public var alpha: Float
    public var dropout: Float
    public var targets: [String]

    public init(rank: Int, alpha: Float? = nil, dropout: Float = 0, targets: [String] = LoRAConfig.allProjections) {
        self.rank = rank
        self.alpha = alpha ?? Float(2 * rank)
        self.dropout = dropout
        self.targets = targets
    }

    public var scale: Float { alpha / Float(rank) }

    /// Checks the values; the error says which one is wrong and what is allowed.
    public func validate() throws {
        guard rank > 0 else { throw ModelsError.invalidArgument("LoRA rank must be positive, got \(rank)") }
        guard alpha.isFinite, alpha > 0 else { throw ModelsError.invalidArgument("LoRA alpha must be positive, got \(alpha)") }
        guard dropout >= 0, dropout < 1 else { throw ModelsError.invalidArgument("LoRA dropout must lie in [0, 1), got \(dropout)") }
        let unknown = targets.filter { !Self.allProjections.contains($0) }
        guard unknown.isEmpty, !targets.isEmpty else {
            throw ModelsError.invalidArgument("LoRA targets \(unknown.isEmpty ? "are empty" : "\(unknown) are unknown"); choose among \(Self.allProjections.joined(separator: ","))")
        }
    }
}

/// The LoRA adapter on one linear weight (PEFT `lora.Linear`'s `lora_A` / `lora_B`):
/// `a` `[r, in]`, `b` `[out, r]`, named `<module>.lora_A.weight` / `<module>.lora_B.weight`
/// after the weight's key (`model.layers.0.self_attn.q_proj.lora_A.weight`); the forward and
/// backward are `linear(_:weight:bias:lora:dropoutMask:)` in Tensor/Ops/LoRALinear.swift.
public final class LoRAAdapter {
    public let a: Tensor
    public let b: Tensor
    public let rank: Int
    public let alpha: Float
    public let dropout: Float
    /// Seeds this adapter's dropout masks (with the input's content, so a checkpointed block's
    /// recomputation draws the same mask as its forward).
    let seed: UInt64

    /// A fresh adapter for `slot` with PEFT's default initialisation: A ~ Kaiming-uniform with
    /// a = √5 on `[r, in]` (= U(−1/√in, 1/√in)), B = 0 — so the adapted model starts equal to the base.
    init(for slot: WeightSlot, config: LoRAConfig, seed: UInt64) {
        let module = String(slot.name.dropLast(".weight".count))
        let out = slot.shape[0], k = slot.shape[1], r = config.rank
        var rng = RandomSource(seed: seed)
        let bound = 1 / Float(k).squareRoot()
        a = Tensor.parameter(shape: [r, k], values: (0..<(r * k)).map { _ in (2 * rng.nextUniform() - 1) * bound },
                             name: module + ".lora_A.weight")
        b = Tensor.parameter(shape: [out, r], values: [Float](repeating: 0, count: out * r), name: module + ".lora_B.weight")
        rank = r
        alpha = config.alpha
        dropout = config.dropout
        self.seed = rng.next()
    }

    public var scale: Float { alpha / Float(rank) }
    var weights: LoRAWeights { LoRAWeights(a: a, b: b, scale: scale) }

    /// Inverted-dropout mask for the LoRA path's input (entries 0 or `1/(1−p)`), or nil when
    /// dropout is off or the pass is not recording (evaluation, as PEFT in `eval()` mode).
    func dropoutMask(for x: Tensor) throws -> Tensor? {
        guard dropout > 0, GradMode.isEnabled, x.requiresGrad else { return nil }
        // Seed from this adapter and a strided sample of x: forward and recomputation agree.
        var mix = seed ^ UInt64(x.count)
        let stride = max(1, x.count / 64)
        for i in Swift.stride(from: 0, to: x.count, by: stride) {
            var g = RandomSource(seed: mix ^ UInt64(x.data[i].bitPattern))
            mix = g.next()
        }
        var rng = RandomSource(seed: mix)
        let keep = 1 / (1 - dropout)
        let mask = Tensor(zeros: x.shape)
        for i in 0..<x.count where rng.nextUniform() >= dropout { mask.data[i] = keep }
        return mask
    }
}
