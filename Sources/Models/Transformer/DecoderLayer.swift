import Tensor

/// One pre-norm decoder block of Qwen2 / Llama (transformers `Qwen2DecoderLayer`,
/// `LlamaDecoderLayer`): `x + o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))`, then
/// `x + down(silu(gate(n2(x))) ⊙ up(n2(x)))`. Each weight carries its Hugging Face key as `name`.
public final class DecoderLayer {
    public let inputNorm: Tensor          // model.layers.{i}.input_layernorm.weight            [C]
    public let qProj: Tensor              // model.layers.{i}.self_attn.q_proj.weight           [Hq·D, C]
    public let kProj: Tensor              // model.layers.{i}.self_attn.k_proj.weight           [Hkv·D, C]
    public let vProj: Tensor              // model.layers.{i}.self_attn.v_proj.weight           [Hkv·D, C]
    public let oProj: Tensor              // model.layers.{i}.self_attn.o_proj.weight           [C, Hq·D]
    public let qBias, kBias, vBias: Tensor?   // …q_proj.bias etc. (Qwen2; Llama attention_bias)
    public let oBias: Tensor?             // …o_proj.bias (Llama attention_bias only)
    public let postNorm: Tensor           // model.layers.{i}.post_attention_layernorm.weight   [C]
    public let gateProj: Tensor           // model.layers.{i}.mlp.gate_proj.weight              [I, C]
    public let upProj: Tensor             // model.layers.{i}.mlp.up_proj.weight                [I, C]
    public let downProj: Tensor           // model.layers.{i}.mlp.down_proj.weight              [C, I]
    public let gateBias, upBias, downBias: Tensor?  // …mlp.*.bias (Llama mlp_bias)

    /// Every parameter of the block, in checkpoint order.
    public let parameters: [Tensor]

    init(index i: Int, config c: ModelConfig) {
        let p = "model.layers.\(i)."
        let q = c.numHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim
        var all: [Tensor] = []
        func param(_ key: String, _ shape: [Int]) -> Tensor {
            let t = Tensor(zeros: shape, requiresGrad: true)
            t.name = p + key
            all.append(t)
            return t
        }
        func optional(_ on: Bool, _ key: String, _ shape: [Int]) -> Tensor? { on ? param(key, shape) : nil }
        inputNorm = param("input_layernorm.weight", [c.hiddenSize])
        qProj = param("self_attn.q_proj.weight", [q, c.hiddenSize])
        qBias = optional(c.qkvBias, "self_attn.q_proj.bias", [q])
        kProj = param("self_attn.k_proj.weight", [kv, c.hiddenSize])
        kBias = optional(c.qkvBias, "self_attn.k_proj.bias", [kv])
        vProj = param("self_attn.v_proj.weight", [kv, c.hiddenSize])
        vBias = optional(c.qkvBias, "self_attn.v_proj.bias", [kv])
        oProj = param("self_attn.o_proj.weight", [c.hiddenSize, q])
        oBias = optional(c.outputBias, "self_attn.o_proj.bias", [c.hiddenSize])
        postNorm = param("post_attention_layernorm.weight", [c.hiddenSize])
        gateProj = param("mlp.gate_proj.weight", [c.intermediateSize, c.hiddenSize])
        gateBias = optional(c.mlpBias, "mlp.gate_proj.bias", [c.intermediateSize])
        upProj = param("mlp.up_proj.weight", [c.intermediateSize, c.hiddenSize])
        upBias = optional(c.mlpBias, "mlp.up_proj.bias", [c.intermediateSize])
        downProj = param("mlp.down_proj.weight", [c.hiddenSize, c.intermediateSize])
        downBias = optional(c.mlpBias, "mlp.down_proj.bias", [c.hiddenSize])
        parameters = all
    }

    /// `x` `[B, T, C]` → `[B, T, C]`. `positions` has `B·T` entries; `hiddenKeys` covers every key
    /// (`B·(cached + T)`); with `cache`, this layer's new keys/values are appended to it and
    /// attention reads all cached ones.
    func forward(_ x: Tensor, config c: ModelConfig, positions: [Int], invFreq: [Float], attentionScaling: Float,
                 hiddenKeys: [Bool]?, cache: KVCache?, layer: Int) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        let h = try rmsNorm(x, weight: inputNorm, eps: c.rmsNormEps)
        var q = try linear(h, weight: qProj, bias: qBias).reshaped([b, t, c.numHeads, c.headDim])
        var k = try linear(h, weight: kProj, bias: kBias).reshaped([b, t, c.numKeyValueHeads, c.headDim])
        var v = try linear(h, weight: vProj, bias: vBias).reshaped([b, t, c.numKeyValueHeads, c.headDim])
        q = try rope(q, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling)
        k = try rope(k, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling)
        if let cache { (k, v) = try cache.append(layer: layer, keys: k, values: v) }
        let a = try attention(q: q, k: k, v: v, hiddenKeys: hiddenKeys).reshaped([b, t, c.numHeads * c.headDim])
        let x1 = try add(x, linear(a, weight: oProj, bias: oBias))
        let h2 = try rmsNorm(x1, weight: postNorm, eps: c.rmsNormEps)
        let act = try swiglu(gate: linear(h2, weight: gateProj, bias: gateBias), up: linear(h2, weight: upProj, bias: upBias))
        return try add(x1, linear(act, weight: downProj, bias: downBias))
    }
}
