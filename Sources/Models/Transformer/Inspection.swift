import Tensor

/// What ``DecoderModel/inspect(ids:rows:attentionLayer:attentionQueries:)`` captured from one
/// sequence.
public struct Inspection {
    /// Hidden states at the asked rows, one entry per level as transformers'
    /// `output_hidden_states=True` numbers them: entry 0 the token embeddings, entry `l` in
    /// `1..<N` the output of block `l − 1`, entry `N` the final RMSNorm of the last block's output
    /// (`hidden_states[-1]`, what the LM head and the DPSH heads read). Each entry holds
    /// `rows.count × C` floats, row-major. Empty when no rows were asked.
    public let hidden: [[Float]]
    /// Head-averaged attention probabilities of `attentionLayer` (transformers' `attentions[layer]`
    /// with eager attention, `.mean(dim=1)`): `attentionQueries.count × T` floats, row-major; nil
    /// when no layer was asked.
    public let attention: [Float]?
}

extension DecoderModel {
    /// Runs one sequence (no gradient, no cache, causal, nothing masked) and keeps only what the
    /// analysis needs: the hidden states of every level at `rows` and, with `attentionLayer`, that
    /// block's head-averaged attention from each of `attentionQueries` to every position.
    /// Stops after the last block it needs (the attention of block 0 of a 28-block model costs one
    /// block). Throws `ModelsError.invalidArgument` for an empty sequence, a bad token id, a row or
    /// query outside `0..<ids.count`, or a layer outside `0..<numLayers`.
    ///
    /// ```swift
    /// let r = try model.inspect(ids: ids, rows: [kStart - 1], attentionLayer: nil, attentionQueries: [])
    /// r.hidden.count   // numLayers + 1
    /// ```
    public func inspect(ids: [Int], rows: [Int], attentionLayer: Int? = nil, attentionQueries: [Int] = []) throws -> Inspection {
        let t = ids.count
        if let bad = (rows + attentionQueries).first(where: { $0 < 0 || $0 >= t }) {
            throw ModelsError.invalidArgument("inspect: position \(bad) is outside the sequence 0..<\(t)")
        }
        if let l = attentionLayer, !(0..<layers.count).contains(l) {
            throw ModelsError.invalidArgument("inspect: layer \(l) is outside 0..<\(layers.count) (the model has \(layers.count) layers)")
        }
        if attentionLayer != nil && attentionQueries.isEmpty {
            throw ModelsError.invalidArgument("inspect: an attention layer needs at least one query position")
        }
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw ModelsError.invalidArgument("inspect: token id \(ids[bad]) at index \(bad) is outside the vocabulary 0..<\(config.vocabSize)")
        }
        guard t > 0 else { throw ModelsError.invalidArgument("inspect: the sequence is empty") }
        return try GradMode.noGrad {
            let positions = Array(0..<t)
            let scaling = config.rope.attentionScaling
            var hidden: [[Float]] = []
            var attention: [Float]?
            var x = try embedding(ids: ids, shape: [1, t], table: embedTokens)
            if !rows.isEmpty { hidden.append(Self.copyRows(x, rows)) }
            let last = rows.isEmpty ? (attentionLayer ?? -1) : layers.count - 1
            for (i, layer) in layers.enumerated() where i <= last {
                if i == attentionLayer {
                    attention = try layer.attentionProbabilities(x, config: config, positions: positions, invFreq: invFreq,
                                                                 attentionScaling: scaling, queries: attentionQueries).values
                    if rows.isEmpty { break }
                }
                x = try layer.forward(x, config: config, positions: positions, invFreq: invFreq, attentionScaling: scaling,
                                      hiddenKeys: nil, cache: nil, layer: i)
                if !rows.isEmpty && i < layers.count - 1 { hidden.append(Self.copyRows(x, rows)) }
            }
            if !rows.isEmpty { hidden.append(Self.copyRows(try rmsNorm(x, weight: norm, eps: config.rmsNormEps), rows)) }
            return Inspection(hidden: hidden, attention: attention)
        }
    }

    /// Next-token logits `[rows.count × V]` (row-major) at the given positions of one sequence:
    /// row `r` is the distribution over the token after `ids[rows[r]]`, which, attention being
    /// causal, equals what a forward over the prefix `ids[0...rows[r]]` alone predicts.
    public func nextTokenLogits(ids: [Int], rows: [Int]) throws -> [Float] {
        let r = try inspect(ids: ids, rows: rows)
        guard let final = r.hidden.last else { return [] }
        let c = config.hiddenSize
        return try GradMode.noGrad {
            try linear(Tensor(shape: [1, rows.count, c], values: final), weight: lmHead).values
        }
    }

    /// Rows `rows` of `x` `[1, T, C]`, copied (row-major `rows.count × C`).
    private static func copyRows(_ x: Tensor, _ rows: [Int]) -> [Float] {
        let c = x.shape[2]
        var out = [Float](repeating: 0, count: rows.count * c)
        out.withUnsafeMutableBufferPointer { dst in
            for (r, row) in rows.enumerated() { (dst.baseAddress! + r * c).update(from: x.data + row * c, count: c) }
        }
        return out
    }
}
