/// Conversions from f32 for the GGUF writer: IEEE half (round to nearest even), BF16, and Q8_0
/// blocks as ggml's reference `quantize_row_q8_0_ref` and gguf-py's `Q8_0.quantize_blocks` make
/// them (`d = amax / 127`, `q = round_half_away(x / d)`, `d` stored as f16).
public enum GGUFQuantize {
    /// f32 → IEEE binary16 bits, round to nearest even; overflow → ±inf, NaN stays NaN (quiet).
    public static func half(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exp = Int((bits >> 23) & 0xFF)
        let mant = bits & 0x7F_FFFF
        if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 | UInt16(truncatingIfNeeded: mant >> 13) : 0) }
        let e = exp - 127 + 15
        if e >= 31 { return sign | 0x7C00 }
        if e >= 1 {
            var kept = UInt32(e) << 10 | (mant >> 13)
            let rem = mant & 0x1FFF
            if rem > 0x1000 || (rem == 0x1000 && kept & 1 == 1) { kept += 1 }  // a carry may reach inf: correct
            return sign | UInt16(truncatingIfNeeded: kept)
        }
        // Subnormal half (or zero): value in units of 2^-24 is m · 2^(e − 14), m with its implicit bit.
        let shift = 14 - e
        guard shift <= 24, exp != 0 else { return sign }
        let m = mant | 0x80_0000
        var kept = m >> UInt32(shift)
        let rem = m & ((1 << UInt32(shift)) - 1), halfway = UInt32(1) << UInt32(shift - 1)
        if rem > halfway || (rem == halfway && kept & 1 == 1) { kept += 1 }
        return sign | UInt16(truncatingIfNeeded: kept)
    }

    /// numpy-style `np_roundf` (gguf-py): round half away from zero, as `floor(|x| + 0.5)` in f32.
    @inline(__always) static func roundHalfAway(_ x: Float) -> Float {
        let a = (abs(x) + 0.5).rounded(.down)
        return x < 0 ? -a : a
    }

    /// Quantises `blocks` blocks of 32 floats at `src` into 34-byte Q8_0 blocks at `dst`.
    static func q8_0(_ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, blocks: Int) {
        for b in 0..<blocks {
            let x = src + 32 * b, out = dst + 34 * b
            var amax: Float = 0
            for j in 0..<32 { amax = max(amax, abs(x[j])) }
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            out.storeBytes(of: half(d).littleEndian, toByteOffset: 0, as: UInt16.self)
            for j in 0..<32 { out.storeBytes(of: Int8(roundHalfAway(x[j] * id)), toByteOffset: 2 + j, as: Int8.self) }
        }
    }
}
