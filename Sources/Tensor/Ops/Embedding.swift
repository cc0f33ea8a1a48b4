/// Embedding lookup, forward (gather rows) and backward (scatter-add rows).
///
/// `ids` holds `shape.reduce(1,*)` token ids in `0..<V`; `table` is `[V, C]`; result `shape + [C]`.
/// Mirrors `torch.nn.functional.embedding` (no padding index, no max-norm).
public func embedding(ids: [Int], shape: [Int], table: Tensor) throws -> Tensor {
    guard table.rank == 2, ids.count == shape.reduce(1, *) else {
        throw TensorError.shapeMismatch(op: "embedding", detail: "\(ids.count) ids for shape \(shape), table \(table.shape) (must be [V, C])")
    }
    guard !ids.isEmpty else { throw TensorError.empty(op: "embedding", shape: shape) }
    let v = table.shape[0], c = table.shape[1]
    for (i, id) in ids.enumerated() where id < 0 || id >= v {
        throw TensorError.indexOutOfRange(op: "embedding", detail: "id \(id) at position \(i) is outside 0..<\(v) (vocabulary size)")
    }
    let out = Tensor(uninitialized: shape + [c])
    let o = out.data, w = table.data
    ids.withUnsafeBufferPointer { idp in
        for i in 0..<idp.count { (o + i * c).update(from: w + idp[i] * c, count: c) }
    }
    return out.recorded("embedding", [table]) { out in
        let g = out.gradBuffer(), gw = table.gradBuffer()
        ids.withUnsafeBufferPointer { idp in
            for i in 0..<idp.count { addInto(gw + idp[i] * c, g + i * c, c) }
        }
    }
}
