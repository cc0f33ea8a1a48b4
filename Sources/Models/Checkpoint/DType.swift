import Tensor

/// Element types of the safetensors format (names as they appear in the header's `dtype`).
/// Floating types are widened to `Float` on load; integer types are readable as `Int64`.
public enum DType: String, CaseIterable, Sendable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .f64 || self == .f32 || self == .f16 || self == .bf16 }
}

/// Bit conversions between `Float` and the 16-bit storage formats.
public enum HalfConversion {
    /// bfloat16 → f32 (exact: bf16 is the top half of an f32).
    @inline(__always) public static func bf16ToFloat(_ bits: UInt16) -> Float { BF16.toFloat(bits) }

    /// f32 → bfloat16 with round-to-nearest-even, NaN kept quiet — what PyTorch's
    /// `tensor.to(torch.bfloat16)` does (c10::BFloat16 round_to_nearest_even).
    @inline(__always) public static func floatToBF16(_ x: Float) -> UInt16 { BF16.fromFloat(x) }

    /// IEEE half → f32 (exact), subnormals, infinities and NaN included.
    @inline(__always) public static func f16ToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int(h >> 10) & 0x1F
        let mant = UInt32(h & 0x3FF)
        if exp == 0 {
            // Zero or subnormal: mant × 2^-24.
            let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | UInt32(exp + 112) << 23 | (mant << 13))
    }
}
