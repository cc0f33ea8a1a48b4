import Tensor

/// Keys and values of every layer for the positions processed so far (inference only).
/// Per layer the cache holds `[B, capacity, Hkv·D]`, growing by doubling. `append` returns the
/// cached keys/values of all positions as contiguous `[B, length + T, Hkv, D]` tensors for the
/// attention op (one copy per step, the same traffic as attention's own read).
public final class KVCache {
    public let batch: Int
    public let layerCount: Int
    let width: Int
    let kvHeads: Int, headDim: Int
    /// Positions stored (all layers, after `advance`).
    public private(set) var length = 0
    private var capacity: Int
    private var keys: [UnsafeMutablePointer<Float>]
    private var values: [UnsafeMutablePointer<Float>]

    public init(config: ModelConfig, batch: Int, capacity: Int = 256) {
        self.batch = batch
        layerCount = config.numLayers
        kvHeads = config.numKeyValueHeads
        headDim = config.headDim
        width = kvHeads * headDim
        self.capacity = max(capacity, 1)
        let n = batch * self.capacity * width
        keys = (0..<layerCount).map { _ in .allocate(capacity: n) }
        values = (0..<layerCount).map { _ in .allocate(capacity: n) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Bytes held.
    public var bytes: Int { 2 * layerCount * batch * capacity * width * 4 }

    private func grow(to needed: Int) {
        guard needed > capacity else { return }
        var newCap = capacity
        while newCap < needed { newCap *= 2 }
        func regrow(_ old: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: batch * newCap * width)
            for b in 0..<batch { (p + b * newCap * width).update(from: old + b * capacity * width, count: length * width) }
            old.deallocate()
            return p
        }
        keys = keys.map(regrow)
        values = values.map(regrow)
        capacity = newCap
    }

    /// Stores `k`, `v` (`[B, T, Hkv, D]`) of `layer` after the `length` cached positions and returns
    /// all of that layer's keys and values, `[B, length + T, Hkv, D]`.
    func append(layer: Int, keys k: Tensor, values v: Tensor) throws -> (Tensor, Tensor) {
        let t = k.shape[1]
        guard k.shape == [batch, t, kvHeads, headDim], v.shape == k.shape else {
            throw ModelsError.invalidArgument("KVCache: keys \(k.shape) do not fit a cache for batch \(batch), \(kvHeads) heads of \(headDim)")
        }
        grow(to: length + t)
        let total = length + t
        let outK = Tensor(zeros: [batch, total, kvHeads, headDim])
        let outV = Tensor(zeros: [batch, total, kvHeads, headDim])
        for (store, src, out) in [(keys[layer], k, outK), (values[layer], v, outV)] {
            for b in 0..<batch {
                let row = store + b * capacity * width
                (row + length * width).update(from: src.data + b * t * width, count: t * width)
                (out.data + b * total * width).update(from: row, count: total * width)
            }
        }
        return (outK, outV)
    }

    /// Marks the `t` positions appended to every layer as stored.
    func advance(by t: Int) { length += t }
}
