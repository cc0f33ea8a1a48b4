import Tensor

/// Dequantisation of GGUF tensor data to f32, written from the block layouts in ggml's
/// `ggml-common.h` (the `block_q*` structs) and their reference `dequantize_row_q*` semantics.
/// Every function turns `blocks` whole blocks at `src` into `blocks × blockSize` floats at `dst`;
/// the arithmetic (f16 scales widened to f32, `d * q` or `d * q + m`, `(d·sc) * q − (dmin·m)`)
/// is done in the same order as the reference so that results match the `gguf` package's
/// `gguf.quants.dequantize` bit for bit.
///
/// Layouts (little-endian; `d`, `m`, `dmin` are IEEE halves):
/// - `Q8_0` (34 B / 32): `d`, 32 × int8 `q` → `d·q`
/// - `Q4_0` (18 B / 32): `d`, 16 bytes; element j < 16 is the low nibble of byte j, element j + 16
///   the high nibble → `d·(q − 8)`
/// - `Q4_1` (20 B / 32): `d`, `m`, nibbles as Q4_0 → `d·q + m`
/// - `Q5_0` (22 B / 32): `d`, u32 `qh` (bit j is the 5th bit of element j), nibbles → `d·(q − 16)`
/// - `Q5_1` (24 B / 32): `d`, `m`, `qh`, nibbles → `d·q + m`
/// - `Q4_K` (144 B / 256): `d`, `dmin`, 12 bytes of eight 6-bit scales and mins, 128 bytes of
///   nibbles; sub-block i of 32 → `(d·sc_i)·q − (dmin·m_i)`
/// - `Q5_K` (176 B / 256): as Q4_K plus 32 bytes `qh` holding the 5th bits
/// - `Q6_K` (210 B / 256): 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 scales, `d`
///   → `d·sc·(q − 32)`
enum GGUFDequantize {
    @inline(__always) static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfConversion.f16ToFloat(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// Dequantises `blocks` blocks of `type` (a readable type; see `GGMLType.isReadable`).
    static func run(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks: Int) {
        switch type {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * blocks)
        case .f16: for k in 0..<blocks { dst[k] = half(src, 2 * k) }
        case .bf16:
            for k in 0..<blocks { dst[k] = BF16.toFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))) }
        case .q8_0: q8_0(src, dst, blocks)
        case .q4_0: q4(src, dst, blocks, hasMin: false)
        case .q4_1: q4(src, dst, blocks, hasMin: true)
        case .q5_0: q5(src, dst, blocks, hasMin: false)
        case .q5_1: q5(src, dst, blocks, hasMin: true)
        case .q4_K: q4_K(src, dst, blocks)
        case .q5_K: q5_K(src, dst, blocks)
        case .q6_K: q6_K(src, dst, blocks)
        default: preconditionFailure("GGUFDequantize.run: \(type.name) is not readable (callers check isReadable)")
        }
    }

    private static func q8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + 34 * b, y = dst + 32 * b
            let d = half(p, 0)
            let q = (p + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { y[j] = d * Float(q[j]) }
        }
    }

    /// Q4_0 (`d·(q − 8)`) and Q4_1 (`d·q + m`).
    private static func q4(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int, hasMin: Bool) {
        let stride = hasMin ? 20 : 18, qsAt = hasMin ? 4 : 2
        for b in 0..<blocks {
            let p = src + stride * b, y = dst + 32 * b
            let d = half(p, 0)
            let qs = (p + qsAt).assumingMemoryBound(to: UInt8.self)
            if hasMin {
                let m = half(p, 2)
                for j in 0..<16 {
                    y[j] = d * Float(qs[j] & 0xF) + m
                    y[j + 16] = d * Float(qs[j] >> 4) + m
                }
            } else {
                for j in 0..<16 {
                    y[j] = d * Float(Int(qs[j] & 0xF) - 8)
                    y[j + 16] = d * Float(Int(qs[j] >> 4) - 8)
                }
            }
        }
    }

    /// Q5_0 (`d·(q − 16)`) and Q5_1 (`d·q + m`).
    private static func q5(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int, hasMin: Bool) {
        let stride = hasMin ? 24 : 22, qhAt = hasMin ? 4 : 2
        for b in 0..<blocks {
            let p = src + stride * b, y = dst + 32 * b
            let d = half(p, 0)
            let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: qhAt, as: UInt32.self))
            let qs = (p + qhAt + 4).assumingMemoryBound(to: UInt8.self)
            let m = hasMin ? half(p, 2) : 0
            for j in 0..<16 {
                let lo = Int(qs[j] & 0xF) | Int((qh >> UInt32(j)) & 1) << 4
                let hi = Int(qs[j] >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
                if hasMin {
                    y[j] = d * Float(lo) + m
                    y[j + 16] = d * Float(hi) + m
                } else {
                    y[j] = d * Float(lo - 16)
                    y[j + 16] = d * Float(hi - 16)
                }
            }
        }
    }

    /// Scale and min of sub-block `j` (0..<8) from the 12 packed bytes of a Q4_K/Q5_K block:
    /// sub-blocks 0–3 keep 6 bits in bytes j and j + 4; 4–7 take 4 low bits from byte j + 4 and
    /// their top 2 bits from the spare high bits of bytes j − 4 and j.
    @inline(__always)
    static func scaleMin(_ s: UnsafePointer<UInt8>, _ j: Int) -> (Float, Float) {
        if j < 4 { return (Float(s[j] & 63), Float(s[j + 4] & 63)) }
        let sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4)
        let mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4)
        return (Float(sc), Float(mn))
    }

    private static func q4_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        kQuant(src, dst, blocks, stride: 144, highBits: nil, qsAt: 16)
    }

    private static func q5_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        kQuant(src, dst, blocks, stride: 176, highBits: 16, qsAt: 48)
    }

    /// Q4_K and Q5_K: per pair of sub-blocks, 32 bytes of nibbles give 32 low-nibble values then 32
    /// high-nibble values; Q5_K adds bit `2·pair` (low) / `2·pair + 1` (high) of `qh[l]` as the 5th bit.
    @inline(__always)
    private static func kQuant(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int,
                               stride: Int, highBits: Int?, qsAt: Int) {
        for b in 0..<blocks {
            let p = src + stride * b, y = dst + 256 * b
            let d = half(p, 0), dmin = half(p, 2)
            let scales = (p + 4).assumingMemoryBound(to: UInt8.self)
            let qs = (p + qsAt).assumingMemoryBound(to: UInt8.self)
            let qh = highBits.map { (p + $0).assumingMemoryBound(to: UInt8.self) }
            for pair in 0..<4 {
                let (sc1, m1) = scaleMin(scales, 2 * pair), (sc2, m2) = scaleMin(scales, 2 * pair + 1)
                let d1 = d * sc1, mm1 = dmin * m1, d2 = d * sc2, mm2 = dmin * m2
                let q = qs + 32 * pair, out = y + 64 * pair
                let bitLo = UInt8(1) << UInt8(2 * pair), bitHi = UInt8(2) << UInt8(2 * pair)
                for l in 0..<32 {
                    var lo = Int(q[l] & 0xF), hi = Int(q[l] >> 4)
                    if let qh {
                        if qh[l] & bitLo != 0 { lo += 16 }
                        if qh[l] & bitHi != 0 { hi += 16 }
                    }
                    out[l] = d1 * Float(lo) - mm1
                    out[l + 32] = d2 * Float(hi) - mm2
                }
            }
        }
    }

    private static func q6_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
        for b in 0..<blocks {
            let p = src + 210 * b, y = dst + 256 * b
            let d = half(p, 208)
            for half128 in 0..<2 {  // two halves of 128 values
                let ql = (p + 64 * half128).assumingMemoryBound(to: UInt8.self)
                let qh = (p + 128 + 32 * half128).assumingMemoryBound(to: UInt8.self)
                let sc = (p + 192 + 8 * half128).assumingMemoryBound(to: Int8.self)
                let out = y + 128 * half128
                for l in 0..<32 {
                    let s = l / 16
                    let q1 = Int((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32
                    let q2 = Int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32
                    let q3 = Int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                    let q4 = Int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                    out[l] = d * Float(sc[s]) * Float(q1)
                    out[l + 32] = d * Float(sc[s + 2]) * Float(q2)
                    out[l + 64] = d * Float(sc[s + 4]) * Float(q3)
                    out[l + 96] = d * Float(sc[s + 6]) * Float(q4)
                }
            }
        }
    }
}
