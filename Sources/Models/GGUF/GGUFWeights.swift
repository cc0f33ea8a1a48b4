import Tensor

/// A GGUF file's tensors seen through their Hugging Face names, dequantised on read and with the
/// Llama q/k row permutation undone (`GGUFRopePermutation`), so a `DecoderModel` loads it like a
/// safetensors checkpoint. Tensors with names llama.cpp does not give to Llama/Qwen2 weights keep
/// their GGUF name (and then show up as unused in `DecoderModel.load`'s error).
///
/// ```swift
/// let weights = try GGUFWeights(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// let model = DecoderModel(config: weights.config)
/// try model.load(from: weights)
/// ```
public final class GGUFWeights: WeightSource {
    public let file: GGUFFile
    public let config: ModelConfig
    /// Hugging Face name → GGUF name.
    private let ggufName: [String: String]

    public convenience init(path: String) throws { try self.init(file: GGUFFile(path: path)) }

    public init(file: GGUFFile) throws {
        self.file = file
        config = try ModelConfig(gguf: file)
        var map: [String: String] = [:]
        for name in file.names { map[GGUFTensorNames.huggingFace(name) ?? name] = name }
        ggufName = map
        try checkShapes()
    }

    /// Every weight the config implies must be a tensor of that shape, checked before a model is
    /// allocated: the config comes from the same untrusted file, and a corrupt hyper-parameter
    /// must not make `DecoderModel(config:)` allocate more than the file's tensors hold.
    private func checkShapes() throws {
        let c = config, q = c.numHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim
        var expected: [(String, [Int])] = [("model.embed_tokens.weight", [c.vocabSize, c.hiddenSize]), ("model.norm.weight", [c.hiddenSize])]
        if !c.tieWordEmbeddings { expected.append(("lm_head.weight", [c.vocabSize, c.hiddenSize])) }
        for i in 0..<min(c.numLayers, file.names.count + 1) {
            let p = "model.layers.\(i)."
            expected += [(p + "input_layernorm.weight", [c.hiddenSize]), (p + "post_attention_layernorm.weight", [c.hiddenSize]),
                         (p + "self_attn.q_proj.weight", [q, c.hiddenSize]), (p + "self_attn.k_proj.weight", [kv, c.hiddenSize]),
                         (p + "self_attn.v_proj.weight", [kv, c.hiddenSize]), (p + "self_attn.o_proj.weight", [c.hiddenSize, q]),
                         (p + "mlp.gate_proj.weight", [c.intermediateSize, c.hiddenSize]),
                         (p + "mlp.up_proj.weight", [c.intermediateSize, c.hiddenSize]),
                         (p + "mlp.down_proj.weight", [c.hiddenSize, c.intermediateSize])]
            if c.qkvBias { expected += [(p + "self_attn.q_proj.bias", [q]), (p + "self_attn.k_proj.bias", [kv]), (p + "self_attn.v_proj.bias", [kv])] }
        }
        if c.numLayers > file.names.count { expected.append(("model.layers.\(c.numLayers - 1).input_layernorm.weight", [c.hiddenSize])) }
        var missing: [String] = [], wrong: [String] = []
        for (name, shape) in expected {
            guard let t = try? tensor(name) else { missing.append(name); continue }
            if t.shape != shape { wrong.append("\(name) is \(t.shape) in the file, \(shape) by its metadata") }
        }
        guard missing.isEmpty, wrong.isEmpty else {
            throw ModelsError.weightMismatch(path: file.path, unused: [], missing: missing, wrongShape: wrong)
        }
    }

    public var sourcePath: String { file.path }
    public var names: [String] { ggufName.keys.sorted() }

    private func tensor(_ name: String) throws -> GGUFTensorInfo {
        guard let g = ggufName[name] else { throw ModelsError.missingTensor(name: name, path: file.path) }
        return try file.info(g)
    }

    public func weightShape(_ name: String) throws -> (shape: [Int], isFloatingPoint: Bool) {
        let t = try tensor(name)
        let integer: Set<GGMLType> = [.i8, .i16, .i32, .i64]
        return (t.shape, !integer.contains(t.type))
    }

    /// Rows of the permuted unit (a weight's rows or a bias's elements) and their length.
    private func permutation(_ name: String, _ t: GGUFTensorInfo) -> (rows: Int, cols: Int)? {
        guard GGUFRopePermutation.applies(to: name, family: config.family) else { return nil }
        let cols = t.dims.count == 1 ? 1 : t.rowLength
        return (t.count / cols, cols)
    }

    public func read(_ name: String, into dest: UnsafeMutableBufferPointer<Float>, release: Bool = false) throws {
        let t = try tensor(name)
        guard let (rows, cols) = permutation(name, t) else {
            return try file.read(t.name, into: dest, release: release)
        }
        guard rows % config.headDim == 0, let out = dest.baseAddress, dest.count == t.count else {
            throw ModelsError.weightMismatch(path: file.path, unused: [], missing: [],
                                             wrongShape: ["\(name) has \(t.shape), not whole heads of \(config.headDim) rows"])
        }
        let tmp = UnsafeMutableBufferPointer<Float>.allocate(capacity: t.count)
        defer { tmp.deallocate() }
        try file.read(t.name, into: tmp, release: release)
        GGUFRopePermutation.permuteRows(tmp.baseAddress!, out, rows: rows, rowBytes: 4 * cols, headDim: config.headDim, toGGUF: false)
    }

    /// BF16 bits: a BF16 tensor's bits are copied exactly (rows permuted where needed); other
    /// types are dequantised to f32 and rounded to nearest even.
    public func readBF16(_ name: String, into dest: UnsafeMutableBufferPointer<UInt16>, release: Bool = false) throws {
        let t = try tensor(name)
        guard dest.count == t.count else {
            throw ModelsError.invalidArgument("\(file.path): tensor \"\(name)\" has \(t.count) elements, destination holds \(dest.count)")
        }
        guard let out = dest.baseAddress, t.count > 0 else { return }
        if t.type == .bf16 {
            // Raw copies: the data need not be 2-byte aligned (general.alignment may be 1).
            let src = try file.rawBytes(t.name).baseAddress!
            if let (rows, cols) = permutation(name, t) {
                GGUFRopePermutation.permuteRows(src, out, rows: rows, rowBytes: 2 * cols, headDim: config.headDim, toGGUF: false)
            } else {
                UnsafeMutableRawPointer(out).copyMemory(from: src, byteCount: 2 * t.count)
            }
            if release { file.map.release(t.dataRange) }
            return
        }
        let wide = UnsafeMutableBufferPointer<Float>.allocate(capacity: t.count)
        defer { wide.deallocate() }
        try read(name, into: wide, release: release)
        BF16.round(wide.baseAddress!, into: out, count: t.count)
    }

    public func floats(_ name: String) throws -> [Float] {
        let t = try tensor(name)
        var out = [Float](repeating: 0, count: t.count)
        try out.withUnsafeMutableBufferPointer { try read(name, into: $0) }
        return out
    }
}
