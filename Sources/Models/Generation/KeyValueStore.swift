import Tensor

/// What a decoder layer needs from a KV cache during a cached forward pass: append this step's keys
/// and values of one layer and get back every key/value its queries attend to.
///
/// Contract: `append(layer:keys:values:)` takes `[B, T, Hkv, D]` and returns `[B, length + T, Hkv, D]`
/// where the last `T` positions are the new ones (attention's causal test is aligned to the end);
/// `advance(by: T)` is called once after every layer has appended. Implemented by ``KVCache`` (one
/// block with a shared length) and by the per-sequence ``SlotKVCache``'s batch view (independent
/// lengths, the gaps hidden as keys).
protocol KeyValueStore: AnyObject {
    var batch: Int { get }
    var layerCount: Int { get }
    /// Key positions before this step's (the same for every row; shorter rows are padded and hidden).
    var length: Int { get }
    func append(layer: Int, keys: Tensor, values: Tensor) throws -> (Tensor, Tensor)
    func advance(by t: Int)
}

extension KVCache: KeyValueStore {}
