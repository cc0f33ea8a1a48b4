import Foundation
import Tensor

extension DecoderModel {
    /// Fills every parameter from `checkpoint`, strictly: every parameter must find a tensor of its
    /// shape, and every checkpoint tensor must be used — except rotary `inv_freq` buffers (recomputed
    /// from the config) and, for tied embeddings, an `lm_head.weight` identical to the embedding.
    /// Offenders are listed in one `weightMismatch` error; nothing is partially applied.
    ///
    /// Memory: each tensor is widened straight from the memory map into its parameter, and the
    /// file pages are released right after, so the resident set stays near the f32 weight bytes.
    public func load(from checkpoint: Checkpoint) throws {
        var missing: [String] = [], wrongShape: [String] = []
        for p in parameters {
            let name = p.name ?? ""
            guard let info = try? checkpoint.info(name) else { missing.append(name); continue }
            if info.shape != p.shape { wrongShape.append("\(name) is \(info.shape) in the checkpoint, \(p.shape) in the model") }
            else if !info.dtype.isFloatingPoint { wrongShape.append("\(name) has integer dtype \(info.dtype.rawValue)") }
        }
        let used = Set(parameters.compactMap(\.name))
        var unused = checkpoint.names.filter { !used.contains($0) && !$0.hasSuffix("rotary_emb.inv_freq") }
        let tiedHead = config.tieWordEmbeddings && unused.contains("lm_head.weight")
        if tiedHead { unused.removeAll { $0 == "lm_head.weight" } }
        guard missing.isEmpty, unused.isEmpty, wrongShape.isEmpty else {
            throw ModelsError.weightMismatch(path: checkpoint.folder, unused: unused, missing: missing, wrongShape: wrongShape)
        }
        for p in parameters {
            try checkpoint.read(p.name ?? "", into: UnsafeMutableBufferPointer(start: p.data, count: p.count), release: true)
        }
        if tiedHead, try checkpoint.info("lm_head.weight").shape != embedTokens.shape
            || checkpoint.floats("lm_head.weight") != embedTokens.values {
            throw ModelsError.weightMismatch(path: checkpoint.folder, unused: ["lm_head.weight (tie_word_embeddings is true but it differs from model.embed_tokens.weight)"],
                                             missing: [], wrongShape: [])
        }
    }
}
