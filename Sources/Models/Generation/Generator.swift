import Tensor

extension DecoderModel {
    /// Generates continuations of `prompts` (token ids, any lengths) in one batch with a KV cache:
    /// prompts are left-padded, the padding hidden as keys and RoPE positions counted from each
    /// prompt's first token (as transformers does from the attention mask), one prefill pass,
    /// then one token per step. Returns each row's new tokens (a stop token included, nothing after).
    ///
    /// ```swift
    /// let out = try model.generate(prompts: [[1, 15, 27], [1, 9]],
    ///                              params: SamplingParameters(maxNewTokens: 32, repetitionPenalty: 1.2))
    /// ```
    public func generate(prompts: [[Int]], params: SamplingParameters,
                         onStep: (([Int?]) -> Bool)? = nil) throws -> [[Int]] {
        try params.validate()
        guard !prompts.isEmpty else { return [] }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelsError.invalidArgument("generate: every prompt needs at least one token") }
        let b = prompts.count
        let longest = prompts.map(\.count).max() ?? 0
        let pads = prompts.map { longest - $0.count }
        var ids: [Int] = [], positions: [Int] = [], hidden: [Bool] = []
        for (r, p) in prompts.enumerated() {
            ids += [Int](repeating: p[0], count: pads[r]) + p
            positions += (0..<longest).map { max(0, $0 - pads[r]) }
            hidden += (0..<longest).map { $0 < pads[r] }
        }
        var seen = prompts.map(Set.init)
        var outputs = [[Int]](repeating: [], count: b)
        var done = [Bool](repeating: params.maxNewTokens == 0, count: b)
        var rng = RandomSource(seed: params.seed)
        let cache = KVCache(config: config, batch: b, capacity: longest + params.maxNewTokens)
        var stepIds = ids, stepPositions = positions
        try GradMode.noGrad {
            var step = 0
            while step < params.maxNewTokens && done.contains(false) {
                let out = try forward(ids: stepIds, batch: b, positions: stepPositions, hiddenKeys: hidden,
                                      cache: cache, lastLogitsOnly: true)
                let v = config.vocabSize
                var chosen = [Int?](repeating: nil, count: b)
                for r in 0..<b where !done[r] {
                    var row = Array(UnsafeBufferPointer(start: out.logits.data + r * v, count: v))
                    let tok = Sampler.choose(logits: &row, seen: seen[r], params: params, rng: &rng)
                    chosen[r] = tok
                    outputs[r].append(tok)
                    seen[r].insert(tok)
                    if params.stopTokenIds.contains(tok) || outputs[r].count >= params.maxNewTokens { done[r] = true }
                }
                if let onStep, !onStep(chosen) { break }
                // Finished rows keep feeding their last token; their outputs are no longer read.
                stepIds = (0..<b).map { chosen[$0] ?? outputs[$0].last ?? prompts[$0].last ?? 0 }
                stepPositions = (0..<b).map { prompts[$0].count + outputs[$0].count - 1 + (chosen[$0] == nil ? 1 : 0) }
                hidden += [Bool](repeating: false, count: b)
                hidden = reorderHidden(hidden, batch: b)
                step += 1
            }
        }
        return outputs
    }

    /// `hidden` is kept row-major `[B, keys]`; appending one column per step needs a re-layout.
    private func reorderHidden(_ h: [Bool], batch b: Int) -> [Bool] {
        let old = (h.count - b) / b
        var out: [Bool] = []
        out.reserveCapacity(h.count)
        for r in 0..<b { out += h[(r * old)..<((r + 1) * old)]; out.append(h[old * b + r]) }
        return out
    }
}
