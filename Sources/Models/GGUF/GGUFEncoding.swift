import Tokenizers

/// Little-endian GGUF encoding of metadata values (the inverse of `GGUFMetadata`'s reader).
extension GGUFValue {
    func encode(into out: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        switch self {
        case let .uint8(v): put(v)
        case let .int8(v): put(v)
        case let .uint16(v): put(v)
        case let .int16(v): put(v)
        case let .uint32(v): put(v)
        case let .int32(v): put(v)
        case let .uint64(v): put(v)
        case let .int64(v): put(v)
        case let .float32(v): put(v.bitPattern)
        case let .float64(v): put(v.bitPattern)
        case let .bool(v): put(UInt8(v ? 1 : 0))
        case let .string(s): GGUFValue.encode(string: s, into: &out)
        case let .array(elementType, values):
            put(elementType.rawValue)
            put(UInt64(values.count))
            for v in values { v.encode(into: &out) }
        }
    }

    static func encode(string s: String, into out: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(s.utf8.count).littleEndian) { out += $0 }
        out += Array(s.utf8)
    }

    /// Key, type and value of one metadata entry.
    static func encodeEntry(key: String, value: GGUFValue, into out: inout [UInt8]) {
        encode(string: key, into: &out)
        withUnsafeBytes(of: value.type.rawValue.littleEndian) { out += $0 }
        value.encode(into: &out)
    }
}
