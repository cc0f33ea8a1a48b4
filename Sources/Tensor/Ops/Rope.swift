import Foundation

/// Rotary position embedding in Hugging Face's `rotate_half` layout, forward and backward.
///
/// `x` is `[B, T, H, D]` (D even), `positions` holds `B·T` absolute positions (row-major), and
/// `invFreq` the `D/2` inverse frequencies (already scaled for `linear`/`llama3` rope types by the
/// caller). As in transformers' `apply_rotary_pos_emb`: `θ = pos · invFreq[i]` (f32), `cos`/`sin`
/// are multiplied by `attentionScaling`, and for `i < D/2`:
/// `y[i] = x[i]·cos − x[i+D/2]·sin`, `y[i+D/2] = x[i+D/2]·cos + x[i]·sin`.
/// Backward applies the transposed rotation.
public func rope(_ x: Tensor, positions: [Int], invFreq: [Float], attentionScaling: Float = 1) throws -> Tensor {
    guard x.rank == 4, x.shape[3] % 2 == 0, invFreq.count * 2 == x.shape[3],
          positions.count == x.shape[0] * x.shape[1] else {
        throw TensorError.shapeMismatch(op: "rope", detail: "x \(x.shape) (needs [B,T,H,D], D even), \(positions.count) positions (needs B·T), \(invFreq.count) inverse frequencies (needs D/2)")
    }
    try checkNonEmpty("rope", x)
    let bt = positions.count, h = x.shape[2], d = x.shape[3], half = d / 2
    let table = RopeTable.shared(positions: positions, invFreq: invFreq, scaling: attentionScaling)
    let out = Tensor(uninitialized: x.shape)
    rotate(x.data, out.data, table, bt: bt, h: h, d: d, half: half, inverse: false)
    return out.recorded("rope", [x]) { out in
        let tmp = SavedBuffer(count: x.count)
        rotate(out.gradBuffer(), tmp.pointer, table, bt: bt, h: h, d: d, half: half, inverse: true)
        addInto(x.gradBuffer(), tmp.pointer, x.count)
    }
}

/// cos/sin per (position row, frequency): `[B·T, D/2]` each. Immutable once built.
final class RopeTable {
    let cos: SavedBuffer, sin: SavedBuffer
    let positions: [Int], invFreq: [Float], scaling: Float

    private static let lock = NSLock()
    nonisolated(unsafe) private static var last: RopeTable?

    /// The table for these arguments, reusing the previous call's when they are equal (q and k of
    /// every layer of one forward share it; building it cost ~3% of a training step in cos/sin).
    static func shared(positions: [Int], invFreq: [Float], scaling: Float) -> RopeTable {
        lock.lock()
        defer { lock.unlock() }
        if let t = last, t.scaling == scaling, t.invFreq == invFreq, t.positions == positions { return t }
        let t = RopeTable(positions: positions, invFreq: invFreq, scaling: scaling)
        last = t
        return t
    }

    init(positions: [Int], invFreq: [Float], scaling: Float) {
        let half = invFreq.count
        self.positions = positions
        self.invFreq = invFreq
        self.scaling = scaling
        cos = SavedBuffer(count: positions.count * half)
        sin = SavedBuffer(count: positions.count * half)
        for (r, p) in positions.enumerated() {
            for i in 0..<half {
                let theta = Float(p) * invFreq[i]
                cos.pointer[r * half + i] = Foundation.cos(theta) * scaling
                sin.pointer[r * half + i] = Foundation.sin(theta) * scaling
            }
        }
    }
}

/// Applies the rotation (or its transpose when `inverse`) from `src` into `dst`.
private func rotate(_ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ table: RopeTable,
                    bt: Int, h: Int, d: Int, half: Int, inverse: Bool) {
    let cp = table.cos.pointer, sp = table.sin.pointer
    let sign: Float = inverse ? -1 : 1
    Parallel.forRange(bt, grain: 8) { r in
        for row in r {
            let c = cp + row * half, s = sp + row * half
            for head in 0..<h {
                let xi = src + (row * h + head) * d, yo = dst + (row * h + head) * d
                for i in 0..<half {
                    let a = xi[i], b = xi[i + half]
                    yo[i] = a * c[i] - sign * b * s[i]
                    yo[i + half] = b * c[i] + sign * a * s[i]
                }
            }
        }
    }
}
