import Foundation

/// A decoder-only model's `config.json` for `model_type` `llama` or `qwen2`
/// (transformers' `LlamaConfig` / `Qwen2Config`, with their defaults for absent keys).
/// The parsed document is kept in `raw` so that a save writes every key back, known or not.
///
/// ```swift
/// let config = try ModelConfig(contentsOf: "/models/Qwen2.5-0.5B/config.json")
/// print(config.numLayers, config.headDim, config.rope.kind)
/// ```
public struct ModelConfig: Equatable {
    public enum Family: String, Sendable { case llama, qwen2 }

    public var family: Family
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKeyValueHeads: Int
    public var headDim: Int
    public var intermediateSize: Int
    public var rmsNormEps: Float
    public var tieWordEmbeddings: Bool
    /// Bias on the q/k/v projections (Qwen2 always; Llama when `attention_bias`).
    public var qkvBias: Bool
    /// Bias on the output projection (Llama `attention_bias`; never in Qwen2).
    public var outputBias: Bool
    /// Bias on gate/up/down (Llama `mlp_bias`).
    public var mlpBias: Bool
    public var maxPositionEmbeddings: Int
    public var rope: RopeConfig
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]
    /// `dtype` / `torch_dtype` as written (e.g. "bfloat16"), if any.
    public var storedDType: String?
    /// The whole document, in its original key order.
    public var raw: JSONObject

    /// Parses `config.json` text; `path` names it in errors.
    public init(json text: [UInt8], path: String) throws {
        guard case let .object(obj) = try ModelsError.parseJSON(text, path: path) else {
            throw ModelsError.invalidConfig(path: path, key: "", detail: "config.json must hold a JSON object")
        }
        try self.init(object: obj, path: path)
    }

    public init(contentsOf path: String) throws {
        try self.init(json: MappedFile.contents(of: path, maxBytes: 16 << 20, what: "config.json"), path: path)
    }

    public init(object obj: JSONObject, path: String) throws {
        let r = ConfigReader(obj: obj, path: path)
        guard let type = try r.string("model_type") else {
            throw ModelsError.invalidConfig(path: path, key: "model_type", detail: "missing; expected \"llama\" or \"qwen2\"")
        }
        guard let family = Family(rawValue: type) else {
            throw ModelsError.unsupportedConfig(path: path, key: "model_type",
                                                detail: "\"\(type)\"; supported model types are \"llama\" and \"qwen2\"")
        }
        self.family = family
        raw = obj
        vocabSize = try r.positiveInt("vocab_size", default: family == .llama ? 32000 : 151936)
        hiddenSize = try r.positiveInt("hidden_size", default: 4096)
        numLayers = try r.positiveInt("num_hidden_layers", default: 32)
        numHeads = try r.positiveInt("num_attention_heads", default: 32)
        numKeyValueHeads = try r.positiveInt("num_key_value_heads", default: numHeads)
        intermediateSize = try r.positiveInt("intermediate_size", default: family == .llama ? 11008 : 22016)
        maxPositionEmbeddings = try r.positiveInt("max_position_embeddings", default: family == .llama ? 2048 : 32768)
        rmsNormEps = Float(try r.double("rms_norm_eps") ?? 1e-6)
        guard rmsNormEps > 0 else { throw ModelsError.invalidConfig(path: path, key: "rms_norm_eps", detail: "must be positive") }
        tieWordEmbeddings = try r.bool("tie_word_embeddings") ?? false
        if let hd = try r.int("head_dim") {
            guard hd > 0 else { throw ModelsError.invalidConfig(path: path, key: "head_dim", detail: "must be positive, got \(hd)") }
            headDim = hd
        } else {
            guard hiddenSize % numHeads == 0 else {
                throw ModelsError.invalidConfig(path: path, key: "num_attention_heads",
                                                detail: "hidden_size \(hiddenSize) is not divisible by \(numHeads) heads and no head_dim is given")
            }
            headDim = hiddenSize / numHeads
        }
        guard headDim % 2 == 0 else { throw ModelsError.invalidConfig(path: path, key: "head_dim", detail: "rotary embeddings need an even head_dim, got \(headDim)") }
        guard numHeads % numKeyValueHeads == 0 else {
            throw ModelsError.invalidConfig(path: path, key: "num_key_value_heads",
                                            detail: "\(numHeads) attention heads are not a multiple of \(numKeyValueHeads) key/value heads")
        }
        switch family {
        case .qwen2:
            qkvBias = true
            outputBias = false
            mlpBias = false
        case .llama:
            let bias = try r.bool("attention_bias") ?? false
            qkvBias = bias
            outputBias = bias
            mlpBias = try r.bool("mlp_bias") ?? false
        }
        bosTokenId = try r.int("bos_token_id")
        switch obj["eos_token_id"] {
        case nil, .null?: eosTokenIds = []
        case let .array(items)?:
            eosTokenIds = try items.map {
                guard let v = $0.intValue else { throw ModelsError.invalidConfig(path: path, key: "eos_token_id", detail: "list entries must be integers") }
                return v
            }
        case let v?:
            guard let id = v.intValue else { throw ModelsError.invalidConfig(path: path, key: "eos_token_id", detail: "expected an integer or a list, got \(v.typeName)") }
            eosTokenIds = [id]
        }
        storedDType = try r.string("dtype") ?? r.string("torch_dtype")
        rope = try RopeConfig(reading: r, family: family)
        try Self.refuseUnsupported(r, family: family)
    }

    /// Keys that would change the computation in ways this implementation does not support.
    private static func refuseUnsupported(_ r: ConfigReader, family: Family) throws {
        let act = try r.string("hidden_act") ?? "silu"
        guard act == "silu" else {
            throw ModelsError.unsupportedConfig(path: r.path, key: "hidden_act", detail: "activation \"\(act)\"; only \"silu\" (SwiGLU) is implemented")
        }
        if try r.bool("use_sliding_window") == true {
            throw ModelsError.unsupportedConfig(path: r.path, key: "use_sliding_window", detail: "sliding-window attention is switched on; set it to false to use full attention")
        }
        if case let .array(types)? = r.obj["layer_types"], types.contains(where: { $0.stringValue == "sliding_attention" }) {
            throw ModelsError.unsupportedConfig(path: r.path, key: "layer_types", detail: "layers with \"sliding_attention\" are not implemented")
        }
        for key in ["num_experts", "num_local_experts", "n_routed_experts", "moe_intermediate_size"] {
            if let n = try r.int(key), n > 0 {
                throw ModelsError.unsupportedConfig(path: r.path, key: key, detail: "mixture-of-experts layers are not implemented")
            }
        }
        if let p = try r.double("pretraining_tp"), p > 1 {
            // transformers ignores it in forward (>= 4.40); nothing to refuse.
            _ = p
        }
    }

    /// The number of parameters the decoder will hold.
    public var parameterCount: Int {
        let q = numHeads * headDim, kv = numKeyValueHeads * headDim
        var attn = hiddenSize * q + 2 * hiddenSize * kv + q * hiddenSize
        if qkvBias { attn += q + 2 * kv }
        if outputBias { attn += hiddenSize }
        var mlp = 3 * hiddenSize * intermediateSize
        if mlpBias { mlp += 2 * intermediateSize + hiddenSize }
        let layer = attn + mlp + 2 * hiddenSize
        return vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2) + numLayers * layer + hiddenSize
    }

    /// `raw` serialised as transformers writes `config.json` (two-space indent).
    public var jsonText: String { JSONWriter.pretty(.object(raw)) }

    public static func == (a: ModelConfig, b: ModelConfig) -> Bool {
        a.family == b.family && a.vocabSize == b.vocabSize && a.hiddenSize == b.hiddenSize && a.numLayers == b.numLayers
            && a.numHeads == b.numHeads && a.numKeyValueHeads == b.numKeyValueHeads && a.headDim == b.headDim
            && a.intermediateSize == b.intermediateSize && a.rmsNormEps == b.rmsNormEps
            && a.tieWordEmbeddings == b.tieWordEmbeddings && a.qkvBias == b.qkvBias && a.outputBias == b.outputBias
            && a.mlpBias == b.mlpBias && a.rope == b.rope && a.raw == b.raw
    }
}

extension RopeConfig {
    /// Reads `rope_parameters` when present, else `rope_theta` + `rope_scaling`.
    init(reading r: ConfigReader, family: ModelConfig.Family) throws {
        let defaultTheta = family == .llama ? 10000.0 : 10000.0
        var params: JSONObject? = nil
        var where_ = "rope_scaling"
        if case let .object(p)? = r.obj["rope_parameters"] {
            params = p
            where_ = "rope_parameters"
        } else if let v = r.obj["rope_parameters"], !v.isNull {
            throw ModelsError.invalidConfig(path: r.path, key: "rope_parameters", detail: "expected an object, got \(v.typeName)")
        }
        var theta = try r.double("rope_theta") ?? defaultTheta
        if params == nil {
            switch r.obj["rope_scaling"] {
            case nil, .null?: break
            case let .object(s)?: params = s
            case let v?: throw ModelsError.invalidConfig(path: r.path, key: "rope_scaling", detail: "expected an object or null, got \(v.typeName)")
            }
        }
        guard let p = params else {
            guard theta > 0 else { throw ModelsError.invalidConfig(path: r.path, key: "rope_theta", detail: "must be positive, got \(theta)") }
            self.init(theta: theta)
            return
        }
        let pr = ConfigReader(obj: p, path: r.path, prefix: where_ + ".")
        if let t = try pr.double("rope_theta") { theta = t }
        let typeName = try pr.string("rope_type") ?? pr.string("type") ?? "default"
        guard let kind = Kind(rawValue: typeName) else {
            throw ModelsError.unsupportedConfig(path: r.path, key: where_ + ".rope_type",
                                                detail: "rope type \"\(typeName)\"; supported: default, linear, llama3")
        }
        if let prf = try pr.double("partial_rotary_factor") ?? r.double("partial_rotary_factor"), prf != 1 {
            throw ModelsError.unsupportedConfig(path: r.path, key: "partial_rotary_factor", detail: "\(prf); only full rotary embeddings are implemented")
        }
        guard theta > 0 else { throw ModelsError.invalidConfig(path: r.path, key: "rope_theta", detail: "must be positive, got \(theta)") }
        switch kind {
        case .default:
            self.init(theta: theta)
        case .linear:
            guard let f = try pr.double("factor"), f >= 1 else {
                throw ModelsError.invalidConfig(path: r.path, key: where_ + ".factor", detail: "linear scaling needs a factor ≥ 1")
            }
            self.init(kind: .linear, theta: theta, factor: f)
        case .llama3:
            guard let f = try pr.double("factor"), f >= 1,
                  let low = try pr.double("low_freq_factor"), let high = try pr.double("high_freq_factor"), high > low,
                  let old = try pr.int("original_max_position_embeddings"), old > 0
            else {
                throw ModelsError.invalidConfig(path: r.path, key: where_,
                                                detail: "llama3 scaling needs factor ≥ 1, low_freq_factor < high_freq_factor and a positive original_max_position_embeddings")
            }
            self.init(kind: .llama3, theta: theta, factor: f, lowFreqFactor: low, highFreqFactor: high,
                      originalMaxPositionEmbeddings: old)
        }
    }
}

/// Typed access to a config object with error messages naming the key.
struct ConfigReader {
    let obj: JSONObject
    let path: String
    var prefix = ""

    private func wrong(_ key: String, _ v: JSONValue, _ expected: String) -> ModelsError {
        .invalidConfig(path: path, key: prefix + key, detail: "expected \(expected), got \(v.typeName)")
    }

    func int(_ key: String) throws -> Int? {
        guard let v = obj[key], !v.isNull else { return nil }
        if let i = v.intValue { return i }
        // Python writes some integers as 8192.0; accept integral floats.
        if let d = v.doubleValue, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        throw wrong(key, v, "an integer")
    }

    func positiveInt(_ key: String, default value: Int) throws -> Int {
        let v = try int(key) ?? value
        guard v > 0 else { throw ModelsError.invalidConfig(path: path, key: prefix + key, detail: "must be positive, got \(v)") }
        return v
    }

    func double(_ key: String) throws -> Double? {
        guard let v = obj[key], !v.isNull else { return nil }
        guard let d = v.doubleValue, d.isFinite else { throw wrong(key, v, "a number") }
        return d
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = obj[key], !v.isNull else { return nil }
        guard let b = v.boolValue else { throw wrong(key, v, "true or false") }
        return b
    }

    func string(_ key: String) throws -> String? {
        guard let v = obj[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw wrong(key, v, "a string") }
        return s
    }
}
