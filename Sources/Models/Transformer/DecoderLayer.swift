import Tensor

/// One pre-norm decoder block of Qwen2 / Llama (transformers `Qwen2DecoderLayer`,
/// `LlamaDecoderLayer`): `x + o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))`, then
/// `x + down(silu(gate(n2(x))) ⊙ up(n2(x)))`. Each weight is a `WeightSlot` (or, for the norms and
/// biases, always-f32 `Tensor`s held by slots) carrying its Hugging Face key.
public final class DecoderLayer {
    public let inputNorm: Tensor          // model.layers.{i}.input_layernorm.weight            [C]
    public let qProj: WeightSlot          // model.layers.{i}.self_attn.q_proj.weight           [Hq·D, C]
    public let kProj: WeightSlot          // model.layers.{i}.self_attn.k_proj.weight           [Hkv·D, C]
    public let vProj: WeightSlot          // model.layers.{i}.self_attn.v_proj.weight           [Hkv·D, C]
    public let oProj: WeightSlot          // model.layers.{i}.self_attn.o_proj.weight           [C, Hq·D]
    public let qBias, kBias, vBias: Tensor?   // …q_proj.bias etc. (Qwen2; Llama attention_bias)
    public let oBias: Tensor?             // …o_proj.bias (Llama attention_bias only)
    public let postNorm: Tensor           // model.layers.{i}.post_attention_layernorm.weight   [C]
    public let gateProj: WeightSlot       // model.layers.{i}.mlp.gate_proj.weight              [I, C]
    public let upProj: WeightSlot         // model.layers.{i}.mlp.up_proj.weight                [I, C]
    public let downProj: WeightSlot       // model.layers.{i}.mlp.down_proj.weight              [C, I]
    public let gateBias, upBias, downBias: Tensor?  // …mlp.*.bias (Llama mlp_bias)

    /// Every weight of the block in checkpoint order (norms and biases as f32 slots).
    public let slots: [WeightSlot]

    /// The seven matrices in checkpoint order (q, k, v, o, gate, up, down).
    public var matrices: [WeightSlot] { [qProj, kProj, vProj, oProj, gateProj, upProj, downProj] }

    /// Every trained f32 tensor of the block, in checkpoint order, each followed by its LoRA pair
    /// when it has one (with BF16 storage: norms and biases; with a frozen base: the adapters only).
    public var parameters: [Tensor] { slots.flatMap(\.parameters) }
    /// Every weight as stored, in checkpoint order.
    var storedWeights: [StoredWeight] { slots.map(\.stored) }

    init(index i: Int, config c: ModelConfig, storage: WeightStorage) {
        let p = "model.layers.\(i)."
        let q = c.numHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim
        var slots: [WeightSlot] = []
        func vector(_ key: String, _ n: Int) -> Tensor {
            let s = WeightSlot(f32: p + key, shape: [n])
            slots.append(s)
            return s.tensor!
        }
        func optional(_ on: Bool, _ key: String, _ n: Int) -> Tensor? { on ? vector(key, n) : nil }
        // With BF16 storage a matrix is born BF16 (its f32 form is never allocated).
        func matrix(_ key: String, _ rows: Int, _ cols: Int) -> WeightSlot {
            let s = storage == .bf16 ? WeightSlot(bf16: p + key, rows: rows, cols: cols) : WeightSlot(f32: p + key, shape: [rows, cols])
            slots.append(s)
            return s
        }
        inputNorm = vector("input_layernorm.weight", c.hiddenSize)
        qProj = matrix("self_attn.q_proj.weight", q, c.hiddenSize)
        qBias = optional(c.qkvBias, "self_attn.q_proj.bias", q)
        kProj = matrix("self_attn.k_proj.weight", kv, c.hiddenSize)
        kBias = optional(c.qkvBias, "self_attn.k_proj.bias", kv)
        vProj = matrix("self_attn.v_proj.weight", kv, c.hiddenSize)
        vBias = optional(c.qkvBias, "self_attn.v_proj.bias", kv)
        oProj = matrix("self_attn.o_proj.weight", c.hiddenSize, q)
        oBias = optional(c.outputBias, "self_attn.o_proj.bias", c.hiddenSize)
        postNorm = vector("post_attention_layernorm.weight", c.hiddenSize)
        gateProj = matrix("mlp.gate_proj.weight", c.intermediateSize, c.hiddenSize)
        gateBias = optional(c.mlpBias, "mlp.gate_proj.bias", c.intermediateSize)
        upProj = matrix("mlp.up_proj.weight", c.intermediateSize, c.hiddenSize)
        upBias = optional(c.mlpBias, "mlp.up_proj.bias", c.intermediateSize)
        downProj = matrix("mlp.down_proj.weight", c.hiddenSize, c.intermediateSize)
        downBias = optional(c.mlpBias, "mlp.down_proj.bias", c.hiddenSize)
        self.slots = slots
    }

    /// `x` `[B, T, C]` → `[B, T, C]`. `positions` has `B·T` entries; `hiddenKeys` covers every key
    /// (`B·(cached + T)`); with `cache`, this layer's new keys/values are appended to it and
    /// attention reads all cached ones.
    func forward(_ x: Tensor, config c: ModelConfig, positions: [Int], invFreq: [Float], attentionScaling: Float,
                 hiddenKeys: [Bool]?, cache: (any KeyValueStore)?, layer: Int) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        let h = try rmsNorm(x, weight: inputNorm, eps: c.rmsNormEps)
        let (q, k) = try rotatedQueriesKeys(h, config: c, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling)
        let v = try vProj.apply(h, bias: vBias).reshaped([b, t, c.numKeyValueHeads, c.headDim])
        let attended = try cache.map { try $0.attend(layer: layer, queries: q, keys: k, values: v, hiddenKeys: hiddenKeys) }
            ?? attention(q: q, k: k, v: v, hiddenKeys: hiddenKeys)
        let a = try attended.reshaped([b, t, c.numHeads * c.headDim])
        let x1 = try add(x, oProj.apply(a, bias: oBias))
        let h2 = try rmsNorm(x1, weight: postNorm, eps: c.rmsNormEps)
        let act = try swiglu(gate: gateProj.apply(h2, bias: gateBias), up: upProj.apply(h2, bias: upBias))
        return try add(x1, downProj.apply(act, bias: downBias))
    }

    /// `q` `[B, T, Hq, D]` and `k` `[B, T, Hkv, D]` of the normed input `h`, RoPE applied.
    private func rotatedQueriesKeys(_ h: Tensor, config c: ModelConfig, positions: [Int], invFreq: [Float],
                                    attentionScaling: Float) throws -> (Tensor, Tensor) {
        let b = h.shape[0], t = h.shape[1]
        let q = try qProj.apply(h, bias: qBias).reshaped([b, t, c.numHeads, c.headDim])
        let k = try kProj.apply(h, bias: kBias).reshaped([b, t, c.numKeyValueHeads, c.headDim])
        return (try rope(q, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling),
                try rope(k, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling))
    }

    /// This block's head-averaged attention probabilities `[B, queries.count, T]` for the input `x`
    /// `[B, T, C]` (the block's input, i.e. the previous block's output), causal and unmasked — what
    /// transformers' eager attention returns in `attentions[layer]`, averaged over heads.
    func attentionProbabilities(_ x: Tensor, config c: ModelConfig, positions: [Int], invFreq: [Float], attentionScaling: Float,
                                queries: [Int]) throws -> Tensor {
        let h = try rmsNorm(x, weight: inputNorm, eps: c.rmsNormEps)
        let (q, k) = try rotatedQueriesKeys(h, config: c, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling)
        return try attentionWeights(q: q, k: k, queries: queries)
    }
}
