import Foundation
import Tensor

extension DecoderModel {
    /// Fills every parameter from `checkpoint` (safetensors or GGUF), strictly: every parameter must find a tensor of its
    /// shape, and every checkpoint tensor must be used — except rotary `inv_freq` buffers (recomputed
    /// from the config) and, for tied embeddings, an `lm_head.weight` identical to the embedding.
    /// Offenders are listed in one `weightMismatch` error; nothing is partially applied.
    ///
    /// With BF16 storage the matrices are read as BF16 (`SafeTensorsFile.readBF16`).
    ///
    /// Memory: each tensor is widened straight from the memory map into its parameter, and the
    /// file pages are released right after, so the resident set stays near the f32 weight bytes.
    public func load(from checkpoint: WeightSource) throws {
        var missing: [String] = [], wrongShape: [String] = []
        let weights = storedWeights
        for w in weights {
            let name = w.name
            guard let info = try? checkpoint.weightShape(name) else { missing.append(name); continue }
            if info.shape != w.shape { wrongShape.append("\(name) is \(info.shape) in the checkpoint, \(w.shape) in the model") }
            else if !info.isFloatingPoint { wrongShape.append("\(name) has an integer dtype") }
        }
        let used = Set(weights.map(\.name))
        var unused = checkpoint.names.filter { !used.contains($0) && !$0.hasSuffix("rotary_emb.inv_freq") }
        let tiedHead = config.tieWordEmbeddings && unused.contains("lm_head.weight")
        if tiedHead { unused.removeAll { $0 == "lm_head.weight" } }
        guard missing.isEmpty, unused.isEmpty, wrongShape.isEmpty else {
            throw ModelsError.weightMismatch(path: checkpoint.sourcePath, unused: unused, missing: missing, wrongShape: wrongShape)
        }
        for w in weights {
            switch w {
            case .f32(let p): try checkpoint.read(w.name, into: UnsafeMutableBufferPointer(start: p.data, count: p.count), release: true)
            case .bf16(let m): try checkpoint.readBF16(w.name, into: UnsafeMutableBufferPointer(start: m.bits, count: m.count), release: true)
            }
        }
        if tiedHead, try !tiedHeadMatches(checkpoint) {
            throw ModelsError.weightMismatch(path: checkpoint.sourcePath, unused: ["lm_head.weight (tie_word_embeddings is true but it differs from model.embed_tokens.weight)"],
                                             missing: [], wrongShape: [])
        }
    }

    /// Whether a checkpoint's `lm_head.weight` equals the (tied) embedding as the model stores it.
    private func tiedHeadMatches(_ checkpoint: WeightSource) throws -> Bool {
        guard try checkpoint.weightShape("lm_head.weight").shape == [config.vocabSize, config.hiddenSize] else { return false }
        guard let table = bf16Embedding else { return try checkpoint.floats("lm_head.weight") == embedTokens.values }
        var head = [UInt16](repeating: 0, count: table.count)
        try head.withUnsafeMutableBufferPointer { try checkpoint.readBF16("lm_head.weight", into: $0, release: false) }
        return head.elementsEqual(UnsafeBufferPointer(start: table.bits, count: table.count))
    }
}
