import Tensor

/// One weight of a model under its Hugging Face key, in whichever form it is stored — an f32
/// `Tensor` (trainable or frozen) or a `BF16Matrix` (frozen) — optionally wrapped by a LoRA
/// adapter. Every weight of `DecoderModel` and `DecoderLayer` is a slot; `parameters`,
/// `storedWeights`, loading and saving all derive from the slots, so code that reads
/// `model.lmHead` or `layer.qProj` works in every storage mode.
///
/// ```swift
/// let y = try model.layers[0].qProj.apply(x, bias: model.layers[0].qBias)   // f32, BF16 or LoRA
/// ```
public final class WeightSlot {
    /// The Hugging Face key, e.g. `model.layers.3.self_attn.q_proj.weight`.
    public let name: String
    public let shape: [Int]
    /// The weight as stored now.
    public internal(set) var stored: StoredWeight
    /// The LoRA adapter on this weight, or nil.
    public internal(set) var adapter: LoRAAdapter?

    /// An f32 slot, zero-filled, trainable unless `trainable` is false.
    init(f32 name: String, shape: [Int], trainable: Bool = true) {
        let t = Tensor(zeros: shape, requiresGrad: trainable)
        t.name = name
        self.name = name
        self.shape = shape
        stored = .f32(t)
    }

    /// A BF16 slot `[rows, cols]`, zero-filled.
    init(bf16 name: String, rows: Int, cols: Int) {
        self.name = name
        shape = [rows, cols]
        stored = .bf16(BF16Matrix(rows: rows, cols: cols, name: name))
    }

    /// The f32 tensor, or nil when the weight is stored as BF16.
    public var tensor: Tensor? { stored.tensor }
    /// The BF16 matrix, or nil when the weight is stored as f32.
    public var bf16: BF16Matrix? { stored.bf16 }
    public var count: Int { shape.reduce(1, *) }
    /// The f32 tensor when it receives gradients (a trained weight), else nil.
    var trainable: Tensor? { tensor.flatMap { $0.requiresGrad ? $0 : nil } }
    /// What this slot trains: its f32 tensor when trainable, then its adapter's A and B.
    public var parameters: [Tensor] { (trainable.map { [$0] } ?? []) + (adapter.map { [$0.a, $0.b] } ?? []) }

    /// Rounds an f32 weight to BF16 (via `make`) and frees the f32 copy. No-op when already BF16.
    func storeAsBF16(_ make: (Tensor) throws -> BF16Matrix) rethrows {
        guard case .f32(let t) = stored else { return }
        stored = .bf16(try make(t))
    }

    /// Stops (or restarts) gradients for an f32 weight.
    func setTrainable(_ flag: Bool) { tensor?.setRequiresGrad(flag) }

    func attach(_ lora: LoRAAdapter?) { adapter = lora }

    /// `x·Wᵀ + bias`, plus the adapter's `s·(d(x)·Aᵀ)·Bᵀ` when there is one. A trained f32 weight
    /// without adapter goes through `linear(_:weight:bias:)` (the full fine-tuning path, unchanged);
    /// a frozen or BF16 weight, or one with an adapter, through the LoRA-aware `linear`, which
    /// passes the input gradient through the frozen weight.
    public func apply(_ x: Tensor, bias: Tensor? = nil) throws -> Tensor {
        if adapter == nil {
            switch stored {
            case .f32(let w): return try linear(x, weight: w, bias: bias)
            case .bf16(let w) where !(GradMode.isEnabled && x.requiresGrad): return try linear(x, weight: w, bias: bias)
            case .bf16: break
            }
        }
        let mask = try adapter?.dropoutMask(for: x)
        return try linear(x, weight: stored, bias: bias, lora: adapter?.weights, dropoutMask: mask)
    }
}

/// `x·Wᵀ + bias` through a slot (see `WeightSlot.apply`).
public func linear(_ x: Tensor, weight: WeightSlot, bias: Tensor? = nil) throws -> Tensor {
    try weight.apply(x, bias: bias)
}

/// Embedding lookup from a slot's table (f32 with gradient when trained; BF16 widened).
public func embedding(ids: [Int], shape: [Int], table: WeightSlot) throws -> Tensor {
    switch table.stored {
    case .f32(let t): return try embedding(ids: ids, shape: shape, table: t)
    case .bf16(let m): return try embedding(ids: ids, shape: shape, table: m)
    }
}

/// `linearMaskedCrossEntropy` with the LM head as a slot (f32, or BF16 widened a tile at a time).
public func linearMaskedCrossEntropy(_ x: Tensor, weight: WeightSlot, targets: [Int], mask: [Float],
                                     chunkRows: Int = 128) throws -> HeadLoss {
    try linearMaskedCrossEntropy(x, weight: weight.stored, targets: targets, mask: mask, chunkRows: chunkRows)
}

/// `linearCrossEntropy` with the LM head as a slot.
public func linearCrossEntropy(_ x: Tensor, weight: WeightSlot, targets: [Int], ignoreIndex: Int = -100,
                               chunkRows: Int = 128) throws -> Tensor {
    try linearMaskedCrossEntropy(x, weight: weight.stored, targets: targets,
                                 mask: targets.map { $0 == ignoreIndex ? 0 : 1 }, chunkRows: chunkRows).loss
}
