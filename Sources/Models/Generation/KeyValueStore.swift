import Tensor

/// What a decoder layer needs from a KV cache during a cached forward pass: append this step's keys
/// and values of one layer and get back every key/value its queries attend to.
///
/// Contract: `append(layer:keys:values:)` takes `[B, T, Hkv, D]` and returns `[B, length + T, Hkv, D]`
/// where the last `T` positions are the new ones (attention's causal test is aligned to the end);
/// `advance(by: T)` is called once after every layer has appended. Implemented by ``KVCache`` (one
/// block with a shared length) and by the per-sequence ``SlotKVCache``'s batch view (independent
/// lengths, the gaps hidden as keys).
///
/// `attend(layer:queries:keys:values:hiddenKeys:)` appends and runs attention in one call, so a
/// store can attend over its own buffers instead of copying them out (the slot cache does for
/// decoding steps); by default it is `append` followed by `attention`.
protocol KeyValueStore: AnyObject {
    var batch: Int { get }
    var layerCount: Int { get }
    /// Key positions before this step's (the same for every row; shorter rows are padded and hidden).
    var length: Int { get }
    func append(layer: Int, keys: Tensor, values: Tensor) throws -> (Tensor, Tensor)
    func advance(by t: Int)
    /// Appends `keys`/`values` `[B, T, Hkv, D]` of `layer` and returns the attention of `queries`
    /// `[B, T, Hq, D]` (the last `T` positions) over every cached and new key, `[B, T, Hq, D]`.
    func attend(layer: Int, queries q: Tensor, keys k: Tensor, values v: Tensor, hiddenKeys: [Bool]?) throws -> Tensor
}

extension KeyValueStore {
    func attend(layer: Int, queries q: Tensor, keys k: Tensor, values v: Tensor, hiddenKeys: [Bool]?) throws -> Tensor {
        try appendThenAttend(layer: layer, queries: q, keys: k, values: v, hiddenKeys: hiddenKeys)
    }

    /// The general path: copy every key/value out (`append`), then ``attention(q:k:v:hiddenKeys:scale:)``.
    func appendThenAttend(layer: Int, queries q: Tensor, keys k: Tensor, values v: Tensor, hiddenKeys: [Bool]?) throws -> Tensor {
        let (keys, values) = try append(layer: layer, keys: k, values: v)
        return try attention(q: q, k: keys, v: values, hiddenKeys: hiddenKeys)
    }
}

extension KVCache: KeyValueStore {}
