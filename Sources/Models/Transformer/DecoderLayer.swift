import Tensor

/// One pre-norm decoder block of Qwen2 / Llama (transformers `Qwen2DecoderLayer`,
/// `LlamaDecoderLayer`): `x + o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))`, then
/// `x + down(silu(gate(n2(x))) ⊙ up(n2(x)))`. Each weight carries its Hugging Face key as `name`.
///
/// With BF16 weight storage (`DecoderModel.WeightStorage.bf16`, inference only) the seven matrices
/// live in `bf16` and their f32 properties are empty placeholders of shape `[0]` (names kept).
public final class DecoderLayer {
    public let inputNorm: Tensor          // model.layers.{i}.input_layernorm.weight            [C]
    public private(set) var qProj: Tensor              // model.layers.{i}.self_attn.q_proj.weight           [Hq·D, C]
    public private(set) var kProj: Tensor              // model.layers.{i}.self_attn.k_proj.weight           [Hkv·D, C]
    public private(set) var vProj: Tensor              // model.layers.{i}.self_attn.v_proj.weight           [Hkv·D, C]
    public private(set) var oProj: Tensor              // model.layers.{i}.self_attn.o_proj.weight           [C, Hq·D]
    public let qBias, kBias, vBias: Tensor?   // …q_proj.bias etc. (Qwen2; Llama attention_bias)
    public let oBias: Tensor?             // …o_proj.bias (Llama attention_bias only)
    public let postNorm: Tensor           // model.layers.{i}.post_attention_layernorm.weight   [C]
    public private(set) var gateProj: Tensor           // model.layers.{i}.mlp.gate_proj.weight              [I, C]
    public private(set) var upProj: Tensor             // model.layers.{i}.mlp.up_proj.weight                [I, C]
    public private(set) var downProj: Tensor           // model.layers.{i}.mlp.down_proj.weight              [C, I]
    public let gateBias, upBias, downBias: Tensor?  // …mlp.*.bias (Llama mlp_bias)

    /// The matrices as BF16 when the model stores its weights as BF16, else nil.
    public private(set) var bf16: BF16LayerWeights?

    /// Every f32 parameter of the block, in checkpoint order (with BF16 storage: norms and biases).
    public private(set) var parameters: [Tensor]
    /// Every weight as stored, in checkpoint order.
    var storedWeights: [StoredWeight] {
        let matrices = bf16?.all ?? []
        return slots.map { t in matrices.first { $0.name == t.name }.map(StoredWeight.bf16) ?? .f32(t) }
    }
    /// Every f32 tensor of the block in checkpoint order, placeholders included.
    private var slots: [Tensor]

    init(index i: Int, config c: ModelConfig, storage: WeightStorage) {
        let p = "model.layers.\(i)."
        let q = c.numHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim
        var all: [Tensor] = [], slots: [Tensor] = [], matrices: [BF16Matrix] = []
        func param(_ key: String, _ shape: [Int]) -> Tensor {
            let t = Tensor(zeros: shape, requiresGrad: true)
            t.name = p + key
            all.append(t)
            slots.append(t)
            return t
        }
        func optional(_ on: Bool, _ key: String, _ shape: [Int]) -> Tensor? { on ? param(key, shape) : nil }
        // With BF16 storage a matrix is born BF16; its f32 property is a placeholder from the start.
        func matrix(_ key: String, _ rows: Int, _ cols: Int) -> Tensor {
            guard storage == .bf16 else { return param(key, [rows, cols]) }
            matrices.append(BF16Matrix(rows: rows, cols: cols, name: p + key))
            let t = placeholder(named: p + key)
            slots.append(t)
            return t
        }
        inputNorm = param("input_layernorm.weight", [c.hiddenSize])
        qProj = matrix("self_attn.q_proj.weight", q, c.hiddenSize)
        qBias = optional(c.qkvBias, "self_attn.q_proj.bias", [q])
        kProj = matrix("self_attn.k_proj.weight", kv, c.hiddenSize)
        kBias = optional(c.qkvBias, "self_attn.k_proj.bias", [kv])
        vProj = matrix("self_attn.v_proj.weight", kv, c.hiddenSize)
        vBias = optional(c.qkvBias, "self_attn.v_proj.bias", [kv])
        oProj = matrix("self_attn.o_proj.weight", c.hiddenSize, q)
        oBias = optional(c.outputBias, "self_attn.o_proj.bias", [c.hiddenSize])
        postNorm = param("post_attention_layernorm.weight", [c.hiddenSize])
        gateProj = matrix("mlp.gate_proj.weight", c.intermediateSize, c.hiddenSize)
        gateBias = optional(c.mlpBias, "mlp.gate_proj.bias", [c.intermediateSize])
        upProj = matrix("mlp.up_proj.weight", c.intermediateSize, c.hiddenSize)
        upBias = optional(c.mlpBias, "mlp.up_proj.bias", [c.intermediateSize])
        downProj = matrix("mlp.down_proj.weight", c.hiddenSize, c.intermediateSize)
        downBias = optional(c.mlpBias, "mlp.down_proj.bias", [c.hiddenSize])
        parameters = all
        self.slots = slots
        bf16 = matrices.isEmpty ? nil : BF16LayerWeights(matrices)
    }

    /// Replaces the seven f32 matrices by BF16 ones made from them by `make` and frees them.
    func storeMatricesAsBF16(_ make: (Tensor) throws -> BF16Matrix) rethrows {
        guard bf16 == nil else { return }
        let w = BF16LayerWeights(try [qProj, kProj, vProj, oProj, gateProj, upProj, downProj].map(make))
        func empty(_ t: Tensor) -> Tensor { placeholder(named: t.name ?? "") }
        qProj = empty(qProj); kProj = empty(kProj); vProj = empty(vProj); oProj = empty(oProj)
        gateProj = empty(gateProj); upProj = empty(upProj); downProj = empty(downProj)
        let names = Set(w.all.compactMap(\.name))
        slots = slots.map { names.contains($0.name ?? "") ? empty($0) : $0 }
        parameters = parameters.filter { !names.contains($0.name ?? "") }
        bf16 = w
    }

    /// `x` `[B, T, C]` → `[B, T, C]`. `positions` has `B·T` entries; `hiddenKeys` covers every key
    /// (`B·(cached + T)`); with `cache`, this layer's new keys/values are appended to it and
    /// attention reads all cached ones.
    func forward(_ x: Tensor, config c: ModelConfig, positions: [Int], invFreq: [Float], attentionScaling: Float,
                 hiddenKeys: [Bool]?, cache: (any KeyValueStore)?, layer: Int) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        let h = try rmsNorm(x, weight: inputNorm, eps: c.rmsNormEps)
        var q = try project(h, qProj, bf16?.q, qBias).reshaped([b, t, c.numHeads, c.headDim])
        var k = try project(h, kProj, bf16?.k, kBias).reshaped([b, t, c.numKeyValueHeads, c.headDim])
        var v = try project(h, vProj, bf16?.v, vBias).reshaped([b, t, c.numKeyValueHeads, c.headDim])
        q = try rope(q, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling)
        k = try rope(k, positions: positions, invFreq: invFreq, attentionScaling: attentionScaling)
        if let cache { (k, v) = try cache.append(layer: layer, keys: k, values: v) }
        let a = try attention(q: q, k: k, v: v, hiddenKeys: hiddenKeys).reshaped([b, t, c.numHeads * c.headDim])
        let x1 = try add(x, project(a, oProj, bf16?.o, oBias))
        let h2 = try rmsNorm(x1, weight: postNorm, eps: c.rmsNormEps)
        let act = try swiglu(gate: project(h2, gateProj, bf16?.gate, gateBias), up: project(h2, upProj, bf16?.up, upBias))
        return try add(x1, project(act, downProj, bf16?.down, downBias))
    }

    /// `linear` with the f32 weight, or with its BF16 copy when the layer stores one.
    private func project(_ x: Tensor, _ w: Tensor, _ w16: BF16Matrix?, _ bias: Tensor?) throws -> Tensor {
        if let w16 { return try linear(x, weight: w16, bias: bias) }
        return try linear(x, weight: w, bias: bias)
    }
}

/// A decoder layer's matrices stored as BF16 (same Hugging Face names and shapes as the f32 ones).
public struct BF16LayerWeights {
    public let q, k, v, o, gate, up, down: BF16Matrix

    /// From the seven matrices in checkpoint order (q, k, v, o, gate, up, down).
    init(_ m: [BF16Matrix]) {
        precondition(m.count == 7, "BF16LayerWeights: 7 matrices, got \(m.count)")
        (q, k, v, o, gate, up, down) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6])
    }
    /// In checkpoint order.
    public var all: [BF16Matrix] { [q, k, v, o, gate, up, down] }
}
