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
    /// Non-finite values (NaN, ±infinity) are refused with `nonFiniteWeight` unless `allowNonFinite`.
    public func load(from checkpoint: WeightSource, allowNonFinite: Bool = false) throws {
        let weights = storedWeights
        let tiedHead = try Self.checkCorrespondence(weights.map { ($0.name, $0.shape) }, config: config, checkpoint: checkpoint)
        for w in weights {
            let bad: Int?
            switch w {
            case .f32(let p):
                try checkpoint.read(w.name, into: UnsafeMutableBufferPointer(start: p.data, count: p.count), release: true)
                bad = allowNonFinite ? nil : p.firstNonFiniteIndex
            case .bf16(let m):
                try checkpoint.readBF16(w.name, into: UnsafeMutableBufferPointer(start: m.bits, count: m.count), release: true)
                bad = allowNonFinite ? nil : FiniteCheck.firstNonFiniteBF16(m.bits, count: m.count)
            }
            if let bad {
                let value: Float
                switch w {
                case .f32(let p): value = p.data[bad]
                case .bf16(let m): value = Float(bitPattern: UInt32(m.bits[bad]) << 16)
                }
                throw ModelsError.nonFiniteWeight(path: ((checkpoint as? Checkpoint).flatMap { try? $0.file(for: w.name).path }) ?? checkpoint.sourcePath,
                                                  tensor: w.name, index: bad, value: value)
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
        guard let table = embedTokens.bf16 else { return try checkpoint.floats("lm_head.weight") == embedTokens.tensor?.values }
        var head = [UInt16](repeating: 0, count: table.count)
        try head.withUnsafeMutableBufferPointer { try checkpoint.readBF16("lm_head.weight", into: $0, release: false) }
        return head.elementsEqual(UnsafeBufferPointer(start: table.bits, count: table.count))
    }
}
