/// One weight as stored: a trainable (or frozen) f32 `Tensor`, or a `BF16Matrix` (always frozen).
/// Both carry the weight's name (a model's weights: their Hugging Face key).
public enum StoredWeight {
    case f32(Tensor)
    case bf16(BF16Matrix)

    public var name: String {
        switch self {
        case .f32(let t): return t.name ?? ""
        case .bf16(let m): return m.name ?? ""
        }
    }

    public var shape: [Int] {
        switch self {
        case .f32(let t): return t.shape
        case .bf16(let m): return m.shape
        }
    }

    public var count: Int { shape.reduce(1, *) }

    /// The f32 tensor, or nil for a BF16 matrix.
    public var tensor: Tensor? { if case .f32(let t) = self { return t } else { return nil } }
    /// The BF16 matrix, or nil for an f32 tensor.
    public var bf16: BF16Matrix? { if case .bf16(let m) = self { return m } else { return nil } }
}
