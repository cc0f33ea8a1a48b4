/// llama.cpp's tensor names (gguf-py `constants.py` `TENSOR_NAMES`, for the `llama` and `qwen2`
/// architectures) and the Hugging Face names they stand for.
///
///     token_embd.weight        ↔ model.embed_tokens.weight
///     blk.N.attn_q.weight      ↔ model.layers.N.self_attn.q_proj.weight   (also .bias)
///     blk.N.ffn_down.weight    ↔ model.layers.N.mlp.down_proj.weight
///     output_norm.weight       ↔ model.norm.weight
///     output.weight            ↔ lm_head.weight
public enum GGUFTensorNames {
    static let global: [(gguf: String, hf: String)] = [
        ("token_embd", "model.embed_tokens"), ("output_norm", "model.norm"), ("output", "lm_head"),
    ]
    static let block: [(gguf: String, hf: String)] = [
        ("attn_norm", "input_layernorm"), ("ffn_norm", "post_attention_layernorm"),
        ("attn_q", "self_attn.q_proj"), ("attn_k", "self_attn.k_proj"), ("attn_v", "self_attn.v_proj"),
        ("attn_output", "self_attn.o_proj"),
        ("ffn_gate", "mlp.gate_proj"), ("ffn_up", "mlp.up_proj"), ("ffn_down", "mlp.down_proj"),
    ]

    /// The Hugging Face name of a GGUF tensor name, or nil when it is not one of the names above.
    public static func huggingFace(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let stem = String(name[..<dot]), suffix = String(name[dot...])  // ".weight" / ".bias"
        if let g = global.first(where: { $0.gguf == stem }) { return g.hf + suffix }
        let parts = stem.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let n = Int(parts[1]), n >= 0,
              let b = block.first(where: { $0.gguf == parts[2] }) else { return nil }
        return "model.layers.\(n).\(b.hf)\(suffix)"
    }

    /// The GGUF name of a Hugging Face tensor name, or nil when it has none.
    public static func gguf(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let stem = String(name[..<dot]), suffix = String(name[dot...])
        if let g = global.first(where: { $0.hf == stem }) { return g.gguf + suffix }
        let prefix = "model.layers."
        guard stem.hasPrefix(prefix) else { return nil }
        let rest = stem.dropFirst(prefix.count)
        guard let dot2 = rest.firstIndex(of: "."), let n = Int(rest[..<dot2]), n >= 0 else { return nil }
        let module = String(rest[rest.index(after: dot2)...])
        guard let b = block.first(where: { $0.hf == module }) else { return nil }
        return "blk.\(n).\(b.gguf)\(suffix)"
    }
}

/// llama.cpp's converter stores the rows of Llama's q/k projections (and their biases) permuted:
/// `convert_hf_to_gguf.py` `LlamaModel.permute` reshapes each head's `headDim` rows as
/// `[2, headDim/2]` and transposes them to `[headDim/2, 2]`, turning transformers' rotate-half
/// RoPE layout into ggml's interleaved one. Qwen2 (NEOX RoPE in ggml) is stored unpermuted.
///
/// HF row `h·hd + t·(hd/2) + i` is GGUF row `h·hd + 2i + t` (t ∈ {0, 1}, i < hd/2).
public enum GGUFRopePermutation {
    /// Whether `hfName` is stored permuted in a GGUF file of `config`'s architecture.
    public static func applies(to hfName: String, family: ModelConfig.Family) -> Bool {
        family == .llama && (hfName.hasSuffix("self_attn.q_proj.weight") || hfName.hasSuffix("self_attn.k_proj.weight")
            || hfName.hasSuffix("self_attn.q_proj.bias") || hfName.hasSuffix("self_attn.k_proj.bias"))
    }

    /// Copies `rows` rows of `rowBytes` bytes from `src` to `dst`, moving them from the GGUF
    /// (interleaved) order to the Hugging Face (rotate-half) order, or back with `toGGUF`.
    public static func permuteRows(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, rows: Int, rowBytes: Int,
                            headDim: Int, toGGUF: Bool) {
        let half = headDim / 2
        for r in 0..<rows {
            let h = r / headDim, within = r % headDim
            let g = h * headDim + 2 * (within % half) + within / half
            let (from, to) = toGGUF ? (r, g) : (g, r)
            (dst + to * rowBytes).copyMemory(from: src + from * rowBytes, byteCount: rowBytes)
        }
    }
}
