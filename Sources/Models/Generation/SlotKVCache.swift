import Tensor

/// Keys and values of up to `slotCount` independent sequences, each with its own length — the cache
/// of continuous batching (a sequence joins with its prefill, decodes in shared steps, leaves, and its
/// slot is reused). Per slot and layer the cache holds `[capacity, Hkv·D]`, growing by doubling up to
/// `maxLength` (the context); a released slot keeps its memory for the next sequence, so serving
/// reaches a steady footprint.
///
/// A batched step over slots `s₀…s_{B−1}` (``DecoderModel/decodeStep(tokens:slots:cache:)``) reads each
/// row's keys left-aligned into `[B, P + T, Hkv, D]` with `P = max lengthᵢ`; positions
/// `lengthᵢ..<P` of row `i` are padding, hidden from every query by the key mask — the same layout
/// `DecoderModel.generate` uses for left padding, mirrored to the right.
///
/// ```swift
/// let cache = SlotKVCache(config: model.config, slots: 32, maxLength: 4096)
/// let s = cache.acquire()!                                   // a free slot, length 0
/// let first = try model.prefill(ids: promptIds, slot: s, cache: cache)   // [V] logits
/// let next = try model.decodeStep(tokens: [tok], slots: [s], cache: cache) // [1, 1, V]
/// cache.release(s)
/// ```
public final class SlotKVCache {
    public let slotCount: Int
    public let layerCount: Int
    /// Most positions one slot may hold (prompt + generated tokens).
    public let maxLength: Int
    let width: Int, kvHeads: Int, headDim: Int
    private var lengths: [Int]
    private var capacities: [Int]
    private var inUse: [Bool]
    /// `[slot][layer]` buffers of `capacities[slot] × width` floats (nil until first used).
    private var keys: [[UnsafeMutablePointer<Float>?]]
    private var values: [[UnsafeMutablePointer<Float>?]]

    public init(config: ModelConfig, slots: Int, maxLength: Int) {
        slotCount = max(1, slots)
        layerCount = config.numLayers
        self.maxLength = max(1, maxLength)
        kvHeads = config.numKeyValueHeads
        headDim = config.headDim
        width = kvHeads * headDim
        lengths = [Int](repeating: 0, count: slotCount)
        capacities = [Int](repeating: 0, count: slotCount)
        inUse = [Bool](repeating: false, count: slotCount)
        keys = [[UnsafeMutablePointer<Float>?]](repeating: [UnsafeMutablePointer<Float>?](repeating: nil, count: layerCount), count: slotCount)
        values = keys
    }

    deinit {
        for s in 0..<slotCount {
            keys[s].forEach { $0?.deallocate() }
            values[s].forEach { $0?.deallocate() }
        }
    }

    /// Positions stored in `slot`.
    public func length(of slot: Int) -> Int { lengths[slot] }
    /// Slots currently held by a sequence.
    public var activeCount: Int { inUse.filter { $0 }.count }
    /// Bytes allocated (all slots, keys and values).
    public var bytes: Int { capacities.reduce(0, +) * width * layerCount * 2 * MemoryLayout<Float>.stride }

    /// A free slot with length 0, or nil when every slot is held.
    public func acquire() -> Int? {
        guard let s = inUse.firstIndex(of: false) else { return nil }
        inUse[s] = true
        lengths[s] = 0
        return s
    }

    /// Returns `slot` to the pool (its memory is kept for reuse).
    public func release(_ slot: Int) {
        guard slot >= 0 && slot < slotCount else { return }
        inUse[slot] = false
        lengths[slot] = 0
    }

    func isHeld(_ slot: Int) -> Bool { slot >= 0 && slot < slotCount && inUse[slot] }

    /// Makes room for `needed` positions in `slot` (doubling, capped at `maxLength`).
    fileprivate func reserve(_ slot: Int, _ needed: Int) throws {
        guard needed > capacities[slot] else { return }
        guard needed <= maxLength else {
            throw ModelsError.invalidArgument("SlotKVCache: slot \(slot) would hold \(needed) positions; the limit is \(maxLength) (the context length)")
        }
        var cap = max(capacities[slot], 16)
        while cap < needed { cap *= 2 }
        cap = min(cap, maxLength)
        let old = capacities[slot], used = lengths[slot]
        func regrow(_ p: UnsafeMutablePointer<Float>?) -> UnsafeMutablePointer<Float> {
            let q = UnsafeMutablePointer<Float>.allocate(capacity: cap * width)
            if let p { q.update(from: p, count: min(used, old) * width); p.deallocate() }
            return q
        }
        keys[slot] = keys[slot].map(regrow)
        values[slot] = values[slot].map(regrow)
        capacities[slot] = cap
    }

    /// The view a cached forward pass over `slots` (distinct, held) appends through.
    func batchView(slots: [Int]) throws -> SlotBatch {
        guard !slots.isEmpty, Set(slots).count == slots.count, slots.allSatisfy(isHeld) else {
            throw ModelsError.invalidArgument("SlotKVCache: a step needs distinct held slots, got \(slots)")
        }
        return SlotBatch(cache: self, slots: slots)
    }

    fileprivate func storage(_ slot: Int, _ layer: Int) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        (keys[slot][layer]!, values[slot][layer]!)
    }

    fileprivate func advance(_ slot: Int, by t: Int) { lengths[slot] += t }
}

/// One cached forward pass over some slots of a ``SlotKVCache``: rows are left-aligned to the
/// longest (`length`), shorter rows padded and hidden (``hiddenKeys(newPositions:)``).
final class SlotBatch: KeyValueStore {
    let cache: SlotKVCache
    let slots: [Int]
    /// Row lengths before this pass.
    let rowLengths: [Int]
    let length: Int
    var batch: Int { slots.count }
    var layerCount: Int { cache.layerCount }

    init(cache: SlotKVCache, slots: [Int]) {
        self.cache = cache
        self.slots = slots
        rowLengths = slots.map(cache.length(of:))
        length = rowLengths.max() ?? 0
    }

    /// `B × (length + t)` flags, row-major: row `i` hides its padding `rowLengths[i]..<length`.
    func hiddenKeys(newPositions t: Int) -> [Bool] {
        var h = [Bool](repeating: false, count: batch * (length + t))
        for (r, n) in rowLengths.enumerated() where n < length {
            for j in n..<length { h[r * (length + t) + j] = true }
        }
        return h
    }

    func append(layer: Int, keys k: Tensor, values v: Tensor) throws -> (Tensor, Tensor) {
        let t = k.shape[1], w = cache.width
        guard k.shape == [batch, t, cache.kvHeads, cache.headDim], v.shape == k.shape else {
            throw ModelsError.invalidArgument("SlotKVCache: keys \(k.shape) do not fit \(batch) slots of \(cache.kvHeads) heads of \(cache.headDim)")
        }
        let total = length + t
        let outK = Tensor(zeros: [batch, total, cache.kvHeads, cache.headDim])
        let outV = Tensor(zeros: [batch, total, cache.kvHeads, cache.headDim])
        for (r, s) in slots.enumerated() {
            let n = rowLengths[r]
            try cache.reserve(s, n + t)
            let (ks, vs) = cache.storage(s, layer)
            for (store, src, out) in [(ks, k, outK), (vs, v, outV)] {
                (store + n * w).update(from: src.data + r * t * w, count: t * w)
                let row = out.data + r * total * w
                row.update(from: store, count: n * w)                         // cached keys, left-aligned
                (row + length * w).update(from: store + n * w, count: t * w)  // this step's, at the end
            }
        }
        return (outK, outV)
    }

    /// A decoding step (`T == 1`) stores each row's new key and value in its slot and attends over
    /// the slot's buffers in place (``attentionDecode(q:keys:values:lengths:kvHeads:scale:)``: no
    /// padding, no copy); a prefill (`T > 1`) takes the general path. `hiddenKeys` holds only the
    /// padding that `hiddenKeys(newPositions:)` describes, which the in-place path has none of.
    func attend(layer: Int, queries q: Tensor, keys k: Tensor, values v: Tensor, hiddenKeys: [Bool]?) throws -> Tensor {
        guard k.shape[1] == 1 else { return try appendThenAttend(layer: layer, queries: q, keys: k, values: v, hiddenKeys: hiddenKeys) }
        let w = cache.width
        guard k.shape == [batch, 1, cache.kvHeads, cache.headDim], v.shape == k.shape else {
            throw ModelsError.invalidArgument("SlotKVCache: keys \(k.shape) do not fit \(batch) slots of \(cache.kvHeads) heads of \(cache.headDim)")
        }
        var keyRows: [UnsafePointer<Float>] = [], valueRows: [UnsafePointer<Float>] = []
        keyRows.reserveCapacity(batch)
        valueRows.reserveCapacity(batch)
        for (r, s) in slots.enumerated() {
            let n = rowLengths[r]
            try cache.reserve(s, n + 1)
            let (ks, vs) = cache.storage(s, layer)
            (ks + n * w).update(from: k.data + r * w, count: w)
            (vs + n * w).update(from: v.data + r * w, count: w)
            keyRows.append(ks)
            valueRows.append(vs)
        }
        return try attentionDecode(q: q, keys: keyRows, values: valueRows, lengths: rowLengths.map { $0 + 1 }, kvHeads: cache.kvHeads)
    }

    func advance(by t: Int) { for s in slots { cache.advance(s, by: t) } }
}
