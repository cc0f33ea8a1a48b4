import Foundation
import Tensor

/// Checks made before a model is allocated, so that a hostile or mismatched `config.json` (a 7B
/// config over tiny weights, `hidden_size: 1e15`) ends in a clear error within a second instead
/// of an out-of-memory kill or an arithmetic-overflow trap:
///
/// 1. every weight shape the config implies is computed with overflow-checked arithmetic
///    (`ModelConfig.expectedWeights()`);
/// 2. those shapes are compared with the safetensors header (no tensor data is read);
/// 3. the bytes the weights will take are compared with the memory this process may use
///    (`MemoryBudget`).
extension ModelConfig {
    /// Every weight the decoder holds, by Hugging Face name, in checkpoint order (a tied head is
    /// not listed), with its shape and whether it is a matrix (q/k/v/o, gate/up/down, embedding,
    /// LM head — the weights `WeightStorage.bf16` keeps at 2 bytes). Mirrors `DecoderLayer.init`
    /// and `DecoderModel.init` (a test keeps them in step). Throws `invalidConfig` when a shape's
    /// element count, or their sum, does not fit in `Int`.
    public func expectedWeights() throws -> [(name: String, shape: [Int], matrix: Bool)] {
        let q = try Self.product([numHeads, headDim], key: "num_attention_heads × head_dim")
        let kv = try Self.product([numKeyValueHeads, headDim], key: "num_key_value_heads × head_dim")
        var out: [(name: String, shape: [Int], matrix: Bool)] = []
        func add(_ name: String, _ shape: [Int], matrix: Bool = false) throws {
            _ = try Self.product(shape, key: name)
            out.append((name, shape, matrix))
        }
        try add("model.embed_tokens.weight", [vocabSize, hiddenSize], matrix: true)
        for i in 0..<numLayers {
            let p = "model.layers.\(i)."
            try add(p + "input_layernorm.weight", [hiddenSize])
            try add(p + "self_attn.q_proj.weight", [q, hiddenSize], matrix: true)
            if qkvBias { try add(p + "self_attn.q_proj.bias", [q]) }
            try add(p + "self_attn.k_proj.weight", [kv, hiddenSize], matrix: true)
            if qkvBias { try add(p + "self_attn.k_proj.bias", [kv]) }
            try add(p + "self_attn.v_proj.weight", [kv, hiddenSize], matrix: true)
            if qkvBias { try add(p + "self_attn.v_proj.bias", [kv]) }
            try add(p + "self_attn.o_proj.weight", [hiddenSize, q], matrix: true)
            if outputBias { try add(p + "self_attn.o_proj.bias", [hiddenSize]) }
            try add(p + "post_attention_layernorm.weight", [hiddenSize])
            try add(p + "mlp.gate_proj.weight", [intermediateSize, hiddenSize], matrix: true)
            if mlpBias { try add(p + "mlp.gate_proj.bias", [intermediateSize]) }
            try add(p + "mlp.up_proj.weight", [intermediateSize, hiddenSize], matrix: true)
            if mlpBias { try add(p + "mlp.up_proj.bias", [intermediateSize]) }
            try add(p + "mlp.down_proj.weight", [hiddenSize, intermediateSize], matrix: true)
            if mlpBias { try add(p + "mlp.down_proj.bias", [hiddenSize]) }
        }
        try add("model.norm.weight", [hiddenSize])
        if !tieWordEmbeddings { try add("lm_head.weight", [vocabSize, hiddenSize], matrix: true) }
        return out
    }

    /// Bytes the weights take at `storage` (f32: 4 a weight; BF16: 2 a matrix weight, 4 for norms
    /// and biases) and the number of weights, in closed form (no list is built, so a config with
    /// 10^9 layers costs nothing), overflow-checked.
    public func weightFootprint(storage: WeightStorage) throws -> (parameters: Int, bytes: Int) {
        func mul(_ xs: Int...) throws -> Int { try Self.product(xs, key: "the model's total size") }
        func sum(_ xs: Int...) throws -> Int {
            var t = 0
            for x in xs {
                let (r, o) = t.addingReportingOverflow(x)
                guard !o else { throw ModelsError.invalidConfig(path: "config.json", key: "the model's total size", detail: "more weights than fit in 64 bits; the config's sizes are not those of a real model") }
                t = r
            }
            return t
        }
        let q = try mul(numHeads, headDim), kv = try mul(numKeyValueHeads, headDim)
        let layerMatrices = try sum(mul(2, q, hiddenSize), mul(2, kv, hiddenSize), mul(3, intermediateSize, hiddenSize))
        let layerVectors = try sum(mul(2, hiddenSize), qkvBias ? sum(q, mul(2, kv)) : 0, outputBias ? hiddenSize : 0,
                                   mlpBias ? sum(mul(2, intermediateSize), hiddenSize) : 0)
        let matrices = try sum(mul(numLayers, layerMatrices), mul(tieWordEmbeddings ? 1 : 2, vocabSize, hiddenSize))
        let vectors = try sum(mul(numLayers, layerVectors), hiddenSize)
        let matrixBytes = storage == .bf16 ? 2 : 4
        return (try sum(matrices, vectors), try sum(mul(matrixBytes, matrices), mul(4, vectors)))
    }

    /// `dims` multiplied, or `invalidConfig` naming `key` when the product overflows.
    static func product(_ dims: [Int], key: String) throws -> Int {
        var p = 1
        for d in dims {
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw ModelsError.invalidConfig(path: "config.json", key: key,
                                                detail: "the shape \(dims) has more elements than fit in 64 bits; the config's sizes are not those of a real model")
            }
            p = r
        }
        return p
    }
}

extension DecoderModel {
    /// Compares what `config` implies with `checkpoint`'s header and with the memory available,
    /// before anything is allocated. Throws `weightMismatch` (every offender listed, as `load(from:)`
    /// does) or `insufficientMemory`.
    public static func preflight(config: ModelConfig, checkpoint: WeightSource, storage: WeightStorage) throws {
        let footprint = try config.weightFootprint(storage: storage)
        // Each layer has at least 9 tensors: a config with more layers than the checkpoint has
        // tensors cannot match, and listing its names would itself cost memory.
        guard config.numLayers <= checkpoint.names.count else {
            throw ModelsError.weightMismatch(path: checkpoint.sourcePath, unused: [], missing: ["\(config.numLayers) layers' weights (config.json's num_hidden_layers), but the checkpoint holds only \(checkpoint.names.count) tensors"], wrongShape: [])
        }
        let expected = try config.expectedWeights()
        try checkCorrespondence(expected.map { ($0.name, $0.shape) }, config: config, checkpoint: checkpoint)
        try MemoryBudget.check(needed: footprint.bytes,
                               what: "the weights of \(checkpoint.sourcePath) (\(footprint.parameters) parameters, \(storage.rawValue))",
                               advice: storage == .f32 ? "use --weights bf16 where the command has it (inference only), a smaller model, or a machine with more memory"
                                   : "use a smaller model or a machine with more memory")
    }

    /// Every weight name must have a checkpoint tensor of its shape and floating-point dtype, and
    /// every checkpoint tensor must be used — except rotary `inv_freq` buffers and, for tied
    /// embeddings, `lm_head.weight`. Returns whether the checkpoint holds a tied `lm_head.weight`
    /// (the caller compares it with the embedding after loading).
    @discardableResult
    static func checkCorrespondence(_ weights: [(String, [Int])], config: ModelConfig, checkpoint: WeightSource) throws -> Bool {
        var missing: [String] = [], wrongShape: [String] = []
        for (name, shape) in weights {
            guard let info = try? checkpoint.weightShape(name) else { missing.append(name); continue }
            if info.shape != shape { wrongShape.append("\(name) is \(info.shape) in the checkpoint, \(shape) in the model") }
            else if !info.isFloatingPoint { wrongShape.append("\(name) has an integer dtype") }
        }
        let used = Set(weights.map(\.0))
        var unused = checkpoint.names.filter { !used.contains($0) && !$0.hasSuffix("rotary_emb.inv_freq") }
        let tiedHead = config.tieWordEmbeddings && unused.contains("lm_head.weight")
        if tiedHead { unused.removeAll { $0 == "lm_head.weight" } }
        guard missing.isEmpty, unused.isEmpty, wrongShape.isEmpty else {
            throw ModelsError.weightMismatch(path: checkpoint.sourcePath, unused: unused, missing: missing, wrongShape: wrongShape)
        }
        return tiedHead
    }
}

