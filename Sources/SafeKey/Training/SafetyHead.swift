import Foundation
import Models
import Tensor

/// The Dual-Path Safety Head (METHOD.md, DPSH): two `Linear(hidden → 1)` classifiers with bias on
/// the final-norm hidden states — `C_head` (understanding path, mean over `[u_start, k_start)`) and
/// `ctx_head` (context path, mean over `[0, k_start)`). Used only in training.
///
/// File format (`safety_head.safetensors`): `C_head.weight` `[1, H]`, `C_head.bias` `[1]`,
/// `ctx_head.weight` `[1, H]`, `ctx_head.bias` `[1]`, F32.
public final class SafetyHead {
    public let cWeight: Tensor, cBias: Tensor, ctxWeight: Tensor, ctxBias: Tensor
    public var parameters: [Tensor] { [cWeight, cBias, ctxWeight, ctxBias] }
    public let hiddenSize: Int

    /// Seeded initialisation with PyTorch `nn.Linear`'s default distribution:
    /// weight and bias ~ U(−1/√H, 1/√H) (kaiming-uniform with a = √5), from our own generator.
    public init(hiddenSize: Int, seed: UInt64) {
        self.hiddenSize = hiddenSize
        var rng = RandomSource(seed: seed ^ 0x5AFE_4EAD)
        let bound = 1 / Float(hiddenSize).squareRoot()
        func uniform(_ n: Int) -> [Float] { (0..<n).map { _ in (2 * rng.nextUniform() - 1) * bound } }
        cWeight = .parameter(shape: [1, hiddenSize], values: uniform(hiddenSize), name: "C_head.weight")
        cBias = .parameter(shape: [1], values: uniform(1), name: "C_head.bias")
        ctxWeight = .parameter(shape: [1, hiddenSize], values: uniform(hiddenSize), name: "ctx_head.weight")
        ctxBias = .parameter(shape: [1], values: uniform(1), name: "ctx_head.bias")
    }

    /// Loads the four tensors from a safetensors file; shapes must match `hiddenSize`.
    public convenience init(file path: String, hiddenSize: Int) throws {
        self.init(hiddenSize: hiddenSize, seed: 0)
        let file = try SafeTensorsFile(path: path)
        for p in parameters {
            let name = p.name ?? ""
            let info = try file.info(name)
            guard info.shape == p.shape else {
                throw TrainingError.checkpoint(path: path, detail: "\(name) has shape \(info.shape); the model's hidden size needs \(p.shape)")
            }
            let values = try file.floats(name)
            values.withUnsafeBufferPointer { p.data.update(from: $0.baseAddress!, count: p.count) }
        }
    }

    /// Writes the four tensors (F32, atomically).
    public func save(to path: String) throws {
        let entries = parameters.map { SafeTensorsEntry(name: $0.name ?? "", shape: $0.shape, pointer: UnsafePointer($0.data), owner: $0) }
        try SafeTensorsWriter.write(entries, to: path, dtype: .f32)
    }

    /// `θ·BCE(C_head(mean_U h)) + (1−θ)·BCE(ctx_head(mean_ctx h))` over the rows whose `weights`
    /// are 1. `hidden` is `[B, T, H]`; spans are per row; `labels` 1 = harmful.
    public func loss(hidden: Tensor, understanding: [(start: Int, end: Int)], context: [(start: Int, end: Int)],
                     labels: [Float], weights: [Float], theta: Float) throws -> Tensor {
        let b = hidden.shape[0]
        let (cLogits, ctxLogits) = try logits(hidden: hidden, understanding: understanding, context: context)
        let cLoss = try bceWithLogits(logits: cLogits.reshaped([b]), targets: labels, weights: weights)
        let ctxLoss = try bceWithLogits(logits: ctxLogits.reshaped([b]), targets: labels, weights: weights)
        return try add(scale(cLoss, theta), scale(ctxLoss, 1 - theta))
    }

    /// The two heads' logits `[B, 1]` each: `C_head(mean of hidden over understanding[b])` and
    /// `ctx_head(mean of hidden over context[b])`; `hidden` is `[B, T, H]` (final-norm states).
    /// A logit ≥ 0 means the head calls the query harmful.
    public func logits(hidden: Tensor, understanding: [(start: Int, end: Int)],
                       context: [(start: Int, end: Int)]) throws -> (understanding: Tensor, context: Tensor) {
        (try linear(spanMeanPool(hidden, spans: understanding), weight: cWeight, bias: cBias),
         try linear(spanMeanPool(hidden, spans: context), weight: ctxWeight, bias: ctxBias))
    }
}
