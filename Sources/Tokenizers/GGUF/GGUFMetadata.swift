import Foundation

/// The header and key–value metadata of a GGUF file (ggml `docs/gguf.md`): magic `GGUF`, a u32
/// version (2 or 3; version 1 used 32-bit counts and is refused), u64 tensor count, u64 metadata
/// count, then the metadata entries (key string, u32 value type, value). The tensor-info table
/// that follows starts at `tensorInfoOffset`; `Models` reads it (and the tensors), so that this
/// module, which needs only the tokenizer keys, stays independent of `Models`.
///
/// Validated: magic, version, byte order, every length and count against the bytes left (so no
/// count can make the reader allocate more than the file could hold), value types, nesting depth,
/// duplicate keys, and `general.alignment` (a non-zero power of two, u32).
///
/// ```swift
/// let meta = try GGUFMetadata(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// meta["general.architecture"]?.stringValue   // "llama"
/// ```
public struct GGUFMetadata {
    public static let magic: UInt32 = 0x4655_4747  // "GGUF" read as a little-endian u32
    /// Alignment of the data section when `general.alignment` is absent.
    public static let defaultAlignment = 32
    /// Deepest nesting of arrays accepted (real files use 1).
    public static let maxArrayDepth = 4

    public let path: String
    public let version: Int
    public let tensorCount: Int
    /// Entries in file order.
    public let entries: [(key: String, value: GGUFValue)]
    /// Byte offset of the tensor-info table (right after the metadata).
    public let tensorInfoOffset: Int
    /// `general.alignment` (default 32).
    public let alignment: Int
    private let index: [String: Int]

    public subscript(key: String) -> GGUFValue? { index[key].map { entries[$0].value } }

    /// Reads the metadata of the GGUF file at `path` (memory-mapped; only the header pages are touched).
    public init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TokenizerError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        self = try data.withUnsafeBytes { try GGUFMetadata(bytes: $0, path: path) }
    }

    /// Parses the metadata at the start of `bytes` (a whole GGUF file); `path` names it in errors.
    public init(bytes: UnsafeRawBufferPointer, path: String) throws {
        self.path = path
        var c = GGUFCursor(bytes: bytes, path: path)
        let magic = try c.u32("the magic number")
        guard magic == Self.magic else {
            throw c.error("magic is 0x\(String(magic, radix: 16)), not \"GGUF\"; this is not a GGUF file", at: 0)
        }
        let version = try c.u32("the version")
        guard version == 2 || version == 3 else {
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                throw c.error("big-endian GGUF (version \(version.byteSwapped)); only little-endian files are supported, convert with llama.cpp on a little-endian machine", at: 4)
            }
            throw c.error("version \(version) is not supported; versions 2 and 3 are (re-convert with a current llama.cpp)", at: 4)
        }
        self.version = Int(version)
        // Each tensor info takes at least 8 (name) + 4 (n_dims) + 4 (type) + 8 (offset) bytes.
        tensorCount = try c.count("tensor count", limit: c.remaining / 24)
        let kvCount = try c.count("metadata entry count", limit: (c.remaining - 8) / 13)
        var entries: [(key: String, value: GGUFValue)] = []
        entries.reserveCapacity(kvCount)
        var index: [String: Int] = [:]
        for k in 0..<kvCount {
            let at = c.offset
            let key = try c.string("key of metadata entry \(k)")
            guard index[key] == nil else { throw c.error("metadata key \"\(key)\" appears twice", at: at) }
            let value = try Self.readValue(&c, key: key, depth: 0)
            index[key] = entries.count
            entries.append((key, value))
        }
        self.entries = entries
        self.index = index
        tensorInfoOffset = c.offset
        if let a = index["general.alignment"].map({ entries[$0].value }) {
            guard case let .uint32(v) = a, v > 0, v & (v - 1) == 0 else {
                throw c.error("general.alignment is \(a) (\(a.typeName)); it must be a uint32 power of two")
            }
            alignment = Int(v)
        } else {
            alignment = Self.defaultAlignment
        }
    }

    private static func readValue(_ c: inout GGUFCursor, key: String, depth: Int) throws -> GGUFValue {
        let at = c.offset
        let code = try c.u32("value type of \"\(key)\"")
        guard let type = GGUFValueType(rawValue: code) else {
            throw c.error("metadata \"\(key)\" has unknown value type \(code) (known: 0–12)", at: at)
        }
        return try readValue(&c, type: type, key: key, depth: depth)
    }

    private static func readValue(_ c: inout GGUFCursor, type: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
        let what = "value of \"\(key)\""
        switch type {
        case .uint8: return .uint8(try c.u8(what))
        case .int8: return .int8(Int8(bitPattern: try c.u8(what)))
        case .uint16: return .uint16(try c.u16(what))
        case .int16: return .int16(Int16(bitPattern: try c.u16(what)))
        case .uint32: return .uint32(try c.u32(what))
        case .int32: return .int32(Int32(bitPattern: try c.u32(what)))
        case .uint64: return .uint64(try c.u64(what))
        case .int64: return .int64(Int64(bitPattern: try c.u64(what)))
        case .float32: return .float32(Float(bitPattern: try c.u32(what)))
        case .float64: return .float64(Double(bitPattern: try c.u64(what)))
        case .bool:
            let at = c.offset
            let b = try c.u8(what)
            guard b <= 1 else { throw c.error("bool \(what) is \(b), not 0 or 1", at: at) }
            return .bool(b == 1)
        case .string:
            return .string(try c.string(what))
        case .array:
            guard depth < maxArrayDepth else {
                throw c.error("\(what) nests arrays deeper than \(maxArrayDepth) levels")
            }
            let at = c.offset
            let code = try c.u32("element type of \"\(key)\"")
            guard let elementType = GGUFValueType(rawValue: code) else {
                throw c.error("array \"\(key)\" has unknown element type \(code) (known: 0–12)", at: at)
            }
            let n = try c.count("length of array \"\(key)\"", limit: (c.remaining - 8) / elementType.minimumEncodedSize)
            var values = [GGUFValue]()
            values.reserveCapacity(n)
            // A nested array element is encoded as an array value without a type prefix.
            for _ in 0..<n { values.append(try readValue(&c, type: elementType, key: key, depth: depth + 1)) }
            return .array(elementType: elementType, values: values)
        }
    }
}
