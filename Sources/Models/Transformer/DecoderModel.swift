import Foundation
import Tensor
import Tokenizers

/// What a forward pass returns.
public struct DecoderOutput {
    /// `[B, T, V]` next-token logits (`[B, 1, V]` with `lastLogitsOnly`).
    public let logits: Tensor
    /// `[B, T, C]` final hidden states after the last RMSNorm (transformers' `hidden_states[-1]`).
    public let hidden: Tensor
}

/// A Qwen2 / Llama decoder-only language model on the Tensor engine (transformers
/// `Qwen2ForCausalLM` / `LlamaForCausalLM`): embedding → N × `DecoderLayer` → RMSNorm → LM head.
/// The same code trains (with `GradMode` on, parameters receive gradients through the tape) and
/// infers (inside `GradMode.noGrad`, optionally with a `KVCache`).
///
/// ```swift
/// let model = try DecoderModel(folder: "/models/Qwen2.5-0.5B")
/// let out = try GradMode.noGrad { try model.forward(ids: [3, 17, 250], batch: 1) }
/// print(out.logits.shape)    // [1, 3, 151936]
/// ```
public final class DecoderModel {
    public let config: ModelConfig
    public let embedTokens: WeightSlot    // model.embed_tokens.weight  [V, C]
    public let layers: [DecoderLayer]
    public let norm: Tensor               // model.norm.weight          [C]
    /// lm_head.weight `[V, C]`; the same slot as `embedTokens` when embeddings are tied.
    public let lmHead: WeightSlot
    /// RoPE inverse frequencies (`headDim/2`), computed from the config as transformers does.
    public let invFreq: [Float]
    /// Folder the model was loaded from (tokenizer files are copied from it on save).
    public internal(set) var sourceFolder: String?
    /// The metadata of the `.gguf` file the model was loaded from (its tokenizer and chat template
    /// are written beside the weights on `save`), or nil.
    public internal(set) var sourceGGUF: GGUFMetadata?
    /// Every weight in checkpoint order (a tied head not repeated): parameters, stored weights,
    /// loading and saving all derive from these.
    public let slots: [WeightSlot]
    /// The LoRA settings of the attached adapters (nil without adapters); see PEFTAdapter.swift.
    public internal(set) var loraConfig: LoRAConfig?

    /// Every distinct trained tensor, named by its Hugging Face (or PEFT) key: with f32 storage
    /// every weight; with BF16 storage the norms and biases; with a frozen base and LoRA adapters,
    /// the adapters' A and B only.
    public var parameters: [Tensor] { slots.flatMap(\.parameters) }

    /// A model with every weight zero (fill it with `load(from:)` or `initializeRandomly`).
    /// `weightStorage: .bf16` keeps the matrices (projections, embedding, LM head) as BF16 from
    /// the start — half the memory, inference only; see `WeightStorage`.
    public init(config: ModelConfig, weightStorage: WeightStorage = .f32) {
        self.config = config
        // With BF16 storage the table and head are born BF16 (no f32 copy is ever allocated).
        func matrix(_ name: String) -> WeightSlot {
            weightStorage == .bf16 ? WeightSlot(bf16: name, rows: config.vocabSize, cols: config.hiddenSize)
                : WeightSlot(f32: name, shape: [config.vocabSize, config.hiddenSize])
        }
        embedTokens = matrix("model.embed_tokens.weight")
        layers = (0..<config.numLayers).map { DecoderLayer(index: $0, config: config, storage: weightStorage) }
        let normSlot = WeightSlot(f32: "model.norm.weight", shape: [config.hiddenSize])
        norm = normSlot.tensor!
        lmHead = config.tieWordEmbeddings ? embedTokens : matrix("lm_head.weight")
        invFreq = config.rope.inverseFrequencies(dim: config.headDim)
        slots = [embedTokens] + layers.flatMap(\.slots) + [normSlot] + (config.tieWordEmbeddings ? [] : [lmHead])
    }

    /// Loads `config.json` and the safetensors weights of a Hugging Face model folder, or a `.gguf`
    /// file (config from its metadata, tensors dequantised; see `GGUFWeights`), strictly: see
    /// `load(from:)`. With `weightStorage: .bf16`, BF16 tensors keep their bits and other types are
    /// rounded to BF16; the f32 matrices are never allocated.
    ///
    /// Before anything is allocated, `preflight` compares the config's shapes with the weights'
    /// header and the weights' bytes with the memory available. Non-finite weights are refused
    /// unless `allowNonFinite`.
    public convenience init(folder: String, weightStorage: WeightStorage = .f32, allowNonFinite: Bool = false) throws {
        let (config, weights) = try ModelFiles.open(folder)
        try Self.preflight(config: config, checkpoint: weights, storage: weightStorage)
        self.init(config: config, weightStorage: weightStorage)
        try load(from: weights, allowNonFinite: allowNonFinite)
        sourceFolder = weights is Checkpoint ? folder : nil
        sourceGGUF = (weights as? GGUFWeights)?.file.metadata
    }

    /// Fills the parameters like transformers' `_init_weights`: weights ~ N(0, `initializer_range`)
    /// (default 0.02), biases 0, norm weights 1. Deterministic for a seed.
    public func initializeRandomly(seed: UInt64) {
        let std = Float(config.raw["initializer_range"]?.doubleValue ?? 0.02)
        var rng = RandomSource(seed: seed)
        for w in storedWeights {
            switch w {
            case .f32(let p):
                let name = p.name ?? ""
                if name.hasSuffix("norm.weight") {
                    p.data.update(repeating: 1, count: p.count)
                } else if name.hasSuffix(".bias") {
                    p.data.update(repeating: 0, count: p.count)
                } else {
                    for i in 0..<p.count { p.data[i] = std * rng.nextGaussian() }
                }
            case .bf16(let m):
                // The same draws as the f32 model, rounded: equal to converting it afterwards.
                var row = [Float](repeating: 0, count: m.cols)
                for r in 0..<m.rows {
                    for j in 0..<m.cols { row[j] = std * rng.nextGaussian() }
                    BF16.round(row, into: m.bits + r * m.cols, count: m.cols)
                }
            }
        }
    }

    /// Number of weights (f32 and BF16; a tied head counted once).
    public var parameterCount: Int { storedWeights.reduce(0) { $0 + $1.count } }

    /// The forward pass.
    ///
    /// - Parameters:
    ///   - ids: `batch × T` token ids, row-major.
    ///   - positions: `batch × T` RoPE positions (default: `cache.length + t`).
    ///   - hiddenKeys: one flag per key position (`batch × (cache.length + T)`, row-major): true hides
    ///     that key from every query — the Hugging Face 2-D `attention_mask` inverted (SafeKey QMM,
    ///     left padding). Queries that see no key get unspecified (finite) outputs.
    ///   - cache: KV cache to read and extend (inference only: call inside `GradMode.noGrad`).
    ///   - lastLogitsOnly: compute the LM head for the last position of each row only.
    ///   - checkpointLayers: recompute each block in backward instead of keeping its activations.
    public func forward(ids: [Int], batch: Int, positions: [Int]? = nil, hiddenKeys: [Bool]? = nil,
                        cache: KVCache? = nil, lastLogitsOnly: Bool = false,
                        checkpointLayers: Bool = false) throws -> DecoderOutput {
        try forward(ids: ids, batch: batch, positions: positions, hiddenKeys: hiddenKeys, store: cache,
                    lastLogitsOnly: lastLogitsOnly, checkpointLayers: checkpointLayers)
    }

    /// `forward` over any ``KeyValueStore`` (``KVCache`` or a ``SlotKVCache`` batch).
    func forward(ids: [Int], batch: Int, positions: [Int]?, hiddenKeys: [Bool]?, store cache: (any KeyValueStore)?,
                 lastLogitsOnly: Bool, checkpointLayers: Bool = false) throws -> DecoderOutput {
        let hidden = try hiddenStates(ids: ids, batch: batch, positions: positions, hiddenKeys: hiddenKeys,
                                      store: cache, checkpointLayers: checkpointLayers)
        let headInput = lastLogitsOnly && hidden.shape[1] > 1 ? try lastRows(hidden) : hidden
        let logits = try linear(headInput, weight: lmHead)
        return DecoderOutput(logits: logits, hidden: hidden)
    }

    /// The forward pass without the LM head: final hidden states `[B, T, C]` after the last norm
    /// (arguments as `forward`). For long sequences and large vocabularies a trainer can apply
    /// `linear(_, weight: lmHead)` to chunks of rows instead of materialising `[B, T, V]` logits.
    public func hiddenStates(ids: [Int], batch: Int, positions: [Int]? = nil, hiddenKeys: [Bool]? = nil,
                             cache: KVCache? = nil, checkpointLayers: Bool = false) throws -> Tensor {
        try hiddenStates(ids: ids, batch: batch, positions: positions, hiddenKeys: hiddenKeys, store: cache,
                         checkpointLayers: checkpointLayers)
    }

    func hiddenStates(ids: [Int], batch: Int, positions: [Int]?, hiddenKeys: [Bool]?,
                      store cache: (any KeyValueStore)?, checkpointLayers: Bool) throws -> Tensor {
        guard batch > 0, !ids.isEmpty, ids.count % batch == 0 else {
            throw ModelsError.invalidArgument("forward: \(ids.count) ids do not split into \(batch) rows of equal length")
        }
        let t = ids.count / batch
        if weightStorage == .bf16 && GradMode.isEnabled && slots.contains(where: { $0.trainable != nil }) {
            throw ModelsError.invalidArgument("forward: the weights are stored as BF16, for inference only; call inside GradMode.noGrad, "
                + "build the model with weightStorage: .f32 to train, or freeze the base and attach LoRA adapters (attachLoRA)")
        }
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw ModelsError.invalidArgument("forward: token id \(ids[bad]) at index \(bad) is outside the vocabulary 0..<\(config.vocabSize)")
        }
        let past = cache?.length ?? 0
        if let cache {
            guard !GradMode.isEnabled else { throw ModelsError.invalidArgument("forward: a KV cache is for inference; call inside GradMode.noGrad") }
            guard cache.batch == batch, cache.layerCount == layers.count else {
                throw ModelsError.invalidArgument("forward: cache is for batch \(cache.batch) and \(cache.layerCount) layers, got batch \(batch) and \(layers.count) layers")
            }
        }
        let pos = positions ?? (0..<batch).flatMap { _ in (past..<(past + t)).map { $0 } }
        guard pos.count == ids.count, pos.allSatisfy({ $0 >= 0 }) else {
            throw ModelsError.invalidArgument("forward: need \(ids.count) non-negative positions, got \(pos.count)")
        }
        if let hiddenKeys, hiddenKeys.count != batch * (past + t) {
            throw ModelsError.invalidArgument("forward: hiddenKeys has \(hiddenKeys.count) entries; need batch × keys = \(batch * (past + t))")
        }
        var x = try embedding(ids: ids, shape: [batch, t], table: embedTokens)
        let scaling = config.rope.attentionScaling, cfg = config, invFreq = self.invFreq
        for (i, layer) in layers.enumerated() {
            if checkpointLayers && cache == nil {
                x = try checkpointed([x]) { inputs in
                    try layer.forward(inputs[0], config: cfg, positions: pos, invFreq: invFreq, attentionScaling: scaling,
                                      hiddenKeys: hiddenKeys, cache: nil, layer: i)
                }
            } else {
                x = try layer.forward(x, config: cfg, positions: pos, invFreq: invFreq, attentionScaling: scaling,
                                      hiddenKeys: hiddenKeys, cache: cache, layer: i)
            }
        }
        cache?.advance(by: t)
        return try rmsNorm(x, weight: norm, eps: config.rmsNormEps)
    }

    /// `[B, T, C]` → `[B, 1, C]` (the last position of each row), without gradient.
    private func lastRows(_ h: Tensor) throws -> Tensor {
        guard !GradMode.isEnabled else { throw ModelsError.invalidArgument("forward: lastLogitsOnly is for inference; call inside GradMode.noGrad") }
        let b = h.shape[0], t = h.shape[1], c = h.shape[2]
        let out = Tensor(zeros: [b, 1, c])
        for r in 0..<b { out.data.advanced(by: r * c).update(from: h.data + (r * t + t - 1) * c, count: c) }
        return out
    }
}
