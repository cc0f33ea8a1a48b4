import Tensor

extension DecoderModel {
    /// Runs a sequence's prompt through the model into `slot` of `cache` (which must be held and
    /// empty, or hold an earlier part of the same sequence) and returns the logits of its last
    /// position, `[V]`. RoPE positions continue from the slot's length. Inference only.
    public func prefill(ids: [Int], slot: Int, cache: SlotKVCache) throws -> [Float] {
        guard !ids.isEmpty else { throw ModelsError.invalidArgument("prefill: the prompt has no tokens") }
        let logits = try cachedStep(ids: ids, slots: [slot], cache: cache)
        return Array(UnsafeBufferPointer(start: logits.data, count: config.vocabSize))
    }

    /// One continuous-batching decoding step: row `i` feeds `tokens[i]` to the sequence in
    /// `slots[i]` (lengths may differ), all rows in one batched forward. Returns logits `[B, 1, V]`.
    /// For one sequence this computes what `generate`'s step computes for it (same keys, positions,
    /// and kernels at batch 1), so greedy outputs agree.
    public func decodeStep(tokens: [Int], slots: [Int], cache: SlotKVCache) throws -> Tensor {
        guard tokens.count == slots.count, !tokens.isEmpty else {
            throw ModelsError.invalidArgument("decodeStep: need one token per slot, got \(tokens.count) tokens for \(slots.count) slots")
        }
        return try cachedStep(ids: tokens, slots: slots, cache: cache)
    }

    /// `ids` is `B × T` (T = ids.count / slots.count); returns the last position's logits `[B, 1, V]`.
    private func cachedStep(ids: [Int], slots: [Int], cache: SlotKVCache) throws -> Tensor {
        guard cache.layerCount == layers.count else {
            throw ModelsError.invalidArgument("SlotKVCache has \(cache.layerCount) layers; the model has \(layers.count)")
        }
        let view = try cache.batchView(slots: slots)
        let t = ids.count / slots.count
        var positions: [Int] = []
        positions.reserveCapacity(ids.count)
        for n in view.rowLengths { for i in 0..<t { positions.append(n + i) } }
        return try GradMode.noGrad {
            try forward(ids: ids, batch: slots.count, positions: positions, hiddenKeys: view.hiddenKeys(newPositions: t),
                        store: view, lastLogitsOnly: true).logits
        }
    }
}
