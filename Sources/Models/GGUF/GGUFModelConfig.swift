import Tokenizers

extension ModelConfig {
    /// The architectures whose GGUF files this module loads (`general.architecture`).
    public static let ggufArchitectures: Set<String> = ["llama", "qwen2"]

    /// A `ModelConfig` from a GGUF file's metadata (`llama` or `qwen2`), as the `config.json` that
    /// llama.cpp's `convert_hf_to_gguf.py` read: `{arch}.embedding_length` → `hidden_size`,
    /// `block_count` → `num_hidden_layers`, `feed_forward_length` → `intermediate_size`,
    /// `attention.head_count(_kv)` → `num_attention_heads` / `num_key_value_heads`,
    /// `attention.layer_norm_rms_epsilon` → `rms_norm_eps`, `rope.freq_base` → `rope_theta`,
    /// `context_length` → `max_position_embeddings`, `attention.key_length` → `head_dim`;
    /// `vocab_size` from `{arch}.vocab_size`, else the token list, else `token_embd.weight`;
    /// tied embeddings when there is no `output.weight`; Llama attention biases when `attn_q.bias`
    /// exists. `raw` holds that config.json (so a save writes a valid one).
    public init(gguf file: GGUFFile) throws {
        let meta = file.metadata, path = file.path
        guard let arch = meta["general.architecture"]?.stringValue else {
            throw ModelsError.invalidConfig(path: path, key: "general.architecture", detail: "missing or not a string")
        }
        guard Self.ggufArchitectures.contains(arch) else {
            throw ModelsError.unsupportedConfig(path: path, key: "general.architecture",
                                                detail: "\"\(arch)\"; GGUF models of architecture \"llama\" and \"qwen2\" are supported")
        }
        func int(_ key: String, required: Bool = true) throws -> Int? {
            let full = "\(arch).\(key)"
            guard let v = meta[full] else {
                if required { throw ModelsError.invalidConfig(path: path, key: full, detail: "missing") }
                return nil
            }
            guard let i = v.intValue, i > 0 else {
                if v.arrayValue != nil {
                    throw ModelsError.unsupportedConfig(path: path, key: full, detail: "a per-layer list; only one value for every layer is supported")
                }
                throw ModelsError.invalidConfig(path: path, key: full, detail: "expected a positive integer, got \(v) (\(v.typeName))")
            }
            return i
        }
        func double(_ key: String) throws -> Double? {
            let full = "\(arch).\(key)"
            guard let v = meta[full] else { return nil }
            guard let d = v.doubleValue, d.isFinite, d > 0 else {
                throw ModelsError.invalidConfig(path: path, key: full, detail: "expected a positive number, got \(v) (\(v.typeName))")
            }
            return d
        }
        let hidden = try int("embedding_length")!
        let heads = try int("attention.head_count")!
        var raw = JSONObject()
        raw["architectures"] = .array([.string(arch == "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM")])
        raw["model_type"] = .string(arch)
        raw["hidden_act"] = .string("silu")
        raw["hidden_size"] = .int(hidden)
        raw["intermediate_size"] = .int(try int("feed_forward_length")!)
        raw["num_hidden_layers"] = .int(try int("block_count")!)
        raw["num_attention_heads"] = .int(heads)
        raw["num_key_value_heads"] = .int(try int("attention.head_count_kv", required: false) ?? heads)
        if let ctx = try int("context_length", required: false) { raw["max_position_embeddings"] = .int(ctx) }
        if let eps = try double("attention.layer_norm_rms_epsilon") { raw["rms_norm_eps"] = .double(eps) }
        raw["rope_theta"] = .double(try double("rope.freq_base") ?? 10000)
        let headDim = try int("attention.key_length", required: false) ?? hidden / heads
        if headDim * heads != hidden { raw["head_dim"] = .int(headDim) }
        if let rot = try int("rope.dimension_count", required: false), rot != headDim {
            throw ModelsError.unsupportedConfig(path: path, key: "\(arch).rope.dimension_count",
                                                detail: "\(rot) rotary dimensions of \(headDim); only full rotary embeddings are implemented")
        }
        if let scaling = meta["\(arch).rope.scaling.type"]?.stringValue, scaling != "none" {
            guard scaling == "linear", let f = try double("rope.scaling.factor") else {
                throw ModelsError.unsupportedConfig(path: path, key: "\(arch).rope.scaling.type",
                                                    detail: "\"\(scaling)\"; only linear RoPE scaling (with rope.scaling.factor) is implemented")
            }
            raw["rope_scaling"] = .object(JSONObject([("type", .string("linear")), ("factor", .double(f))]))
        }
        if file.tensors["rope_freqs.weight"] != nil {
            throw ModelsError.unsupportedConfig(path: path, key: "rope_freqs.weight",
                                                detail: "per-frequency RoPE factors (Llama 3.1 rope scaling) are not implemented for GGUF files")
        }
        let vocab = try int("vocab_size", required: false)
            ?? meta["tokenizer.ggml.tokens"]?.arrayValue?.count
            ?? file.tensors["token_embd.weight"]?.dims.last
        guard let vocab, vocab > 0 else {
            throw ModelsError.invalidConfig(path: path, key: "\(arch).vocab_size", detail: "missing, and there is neither a token list nor token_embd.weight to count")
        }
        raw["vocab_size"] = .int(vocab)
        raw["tie_word_embeddings"] = .bool(file.tensors["output.weight"] == nil)
        if arch == "llama" {
            raw["attention_bias"] = .bool(file.tensors["blk.0.attn_q.bias"] != nil)
            raw["mlp_bias"] = .bool(false)
        }
        if let bos = meta["tokenizer.ggml.bos_token_id"]?.intValue { raw["bos_token_id"] = .int(bos) }
        if let eos = meta["tokenizer.ggml.eos_token_id"]?.intValue { raw["eos_token_id"] = .int(eos) }
        raw["torch_dtype"] = .string("float32")
        try self.init(object: raw, path: path)
    }
}
