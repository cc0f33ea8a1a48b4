import Tensor

/// How a `DecoderModel` holds its matrices (q/k/v/o, gate/up/down, embedding, LM head).
///
/// - `f32`: trainable `Tensor`s (the default).
/// - `bf16`: `BF16Matrix`es, 2 bytes a weight — inference, or training LoRA adapters on a frozen base. Arithmetic
///   stays f32 (weights are widened on the fly), so the outputs are those of the f32 model whose
///   weights were rounded to BF16 first, as transformers computes with a BF16 checkpoint loaded in
///   `torch_dtype=float32`. Norm weights and biases stay f32 either way.
///
/// ```swift
/// let model = try DecoderModel(folder: "/models/Qwen2.5-0.5B", weightStorage: .bf16)   // ~1 GB, not ~2
/// let out = try model.generate(prompts: [[151644, 872]], params: SamplingParameters(maxNewTokens: 16))
/// ```
public enum WeightStorage: String, Sendable, CaseIterable {
    case f32, bf16
}

extension DecoderModel {
    public var weightStorage: WeightStorage { embedTokens.bf16 == nil ? .f32 : .bf16 }

    /// Bytes of the matrix weights that one decode step streams (all layers' projections and the
    /// LM head), at the current storage.
    public var matrixWeightBytes: Int { (weightStorage == .bf16 ? 2 : 4) * config.matrixWeightCount }

    /// Every weight as stored, in checkpoint order (a tied head not repeated).
    var storedWeights: [StoredWeight] { slots.map(\.stored) }

    /// Rounds every matrix to BF16 (round to nearest even) and frees its f32 copy, layer by layer,
    /// so the resident set never holds much more than the f32 model. Afterwards the model is
    /// inference-only: a forward pass with `GradMode` on throws, `parameters` holds only the
    /// norms and biases, and `save` refuses. No-op when already BF16.
    public func convertWeightsToBF16() throws {
        guard weightStorage == .f32 else { return }
        for layer in layers { for m in layer.matrices { try m.storeAsBF16(BF16Matrix.init(rounding:)) } }
        try embedTokens.storeAsBF16(BF16Matrix.init(rounding:))
        try lmHead.storeAsBF16(BF16Matrix.init(rounding:))
        // Freed blocks below the mmap threshold stay in the heap; hand their pages back.
        Storage.releaseFreeMemory()
    }
}

extension ModelConfig {
    /// Weights of every matrix a token passes through: each layer's q/k/v/o and gate/up/down
    /// projections and the LM head (the embedding lookup reads one row, so it is not counted).
    public var matrixWeightCount: Int {
        let q = numHeads * headDim, kv = numKeyValueHeads * headDim
        return numLayers * (hiddenSize * (2 * q + 2 * kv) + 3 * hiddenSize * intermediateSize) + vocabSize * hiddenSize
    }
}
