/// The value types of GGUF metadata (`gguf_type` in ggml's `gguf.h`; the numbering is the file format's).
public enum GGUFValueType: UInt32, CaseIterable, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of one value in the file (strings and arrays: the smallest possible encoding, an empty one).
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

/// One GGUF metadata value, with the type the file gave it (so that a writer reproduces it exactly).
///
/// ```swift
/// let meta = try GGUFMetadata(path: "model.gguf")
/// meta["llama.block_count"]?.intValue           // 30
/// meta["tokenizer.ggml.tokens"]?.stringArray?.count
/// ```
public indirect enum GGUFValue: Equatable, Sendable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    /// An array of values that all have `elementType` (nested arrays allowed).
    case array(elementType: GGUFValueType, values: [GGUFValue])

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// Any integer type as `Int` (nil for other types, or a `UInt64` above `Int.max`).
    public var intValue: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// Any number (integers widened) as `Double`.
    public var doubleValue: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return intValue.map(Double.init)
        }
    }

    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var arrayValue: [GGUFValue]? { if case let .array(_, v) = self { return v } else { return nil } }

    /// An array of strings (nil if this is not one).
    public var stringArray: [String]? {
        guard case let .array(type, values) = self, type == .string else { return nil }
        return values.map { if case let .string(s) = $0 { return s } else { return "" } }
    }

    /// An array of integers of any integer type (nil if this is not one).
    public var intArray: [Int]? {
        guard case let .array(_, values) = self else { return nil }
        var out = [Int]()
        out.reserveCapacity(values.count)
        for v in values {
            guard let i = v.intValue else { return nil }
            out.append(i)
        }
        return out
    }

    /// A short description of the type for messages ("uint32", "array of string").
    public var typeName: String {
        if case let .array(t, _) = self { return "array of \(t)" }
        return "\(type)"
    }
}
