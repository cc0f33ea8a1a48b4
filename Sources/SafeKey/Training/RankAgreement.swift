import Collectives
import Foundation
import Models
import Tensor

extension Trainer {
    /// Data parallelism needs every rank to start from the same weights and position: each rank
    /// sums every parameter (f64, deterministic order), rank 0's sums and step are broadcast, and a
    /// rank that differs throws `TrainingError.invalidOption` naming the first differing parameter
    /// (different --model folders, or a checkpoint that differs between machines). A single
    /// process returns at once.
    public func checkRanksAgree() throws {
        guard collective.size > 1 else { return }
        let params = model.parameters + head.parameters
        var mine = params.map { p -> Double in
            var s = 0.0
            let x = UnsafeBufferPointer(start: p.data, count: p.count)
            for v in x { s += Double(v) }
            return s
        }
        mine.append(Double(globalStep))
        var root = mine
        try root.withUnsafeMutableBytes { try collective.broadcast($0, root: 0) }
        guard let i = mine.indices.first(where: { mine[$0].bitPattern != root[$0].bitPattern }) else { return }
        let what = i < params.count ? "parameter \(params[i].name ?? "#\(i)") (sum \(mine[i]) here, \(root[i]) on rank 0)"
            : "optimizer step (\(globalStep) here, \(Int(root[i])) on rank 0)"
        throw TrainingError.invalidOption("rank \(collective.rank) starts from other weights than rank 0: \(what). "
            + "Every rank must read the same --model folder, --safety-head and --resume checkpoint (copy them to every machine or use a shared file system)")
    }
}
