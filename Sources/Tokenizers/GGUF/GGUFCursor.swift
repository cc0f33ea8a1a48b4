/// A bounds-checked little-endian reader over the bytes of a GGUF file. Every read checks that the
/// bytes exist first, so a truncated or lying file throws `TokenizerError.malformedGGUF` (with the
/// byte offset) instead of reading past the end.
public struct GGUFCursor {
    public let bytes: UnsafeRawBufferPointer
    public let path: String
    /// Offset of the next byte to read.
    public private(set) var offset: Int

    public init(bytes: UnsafeRawBufferPointer, path: String, offset: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.offset = offset
    }

    /// Bytes left after `offset`.
    public var remaining: Int { bytes.count - offset }

    /// The error for a fault at `at` (default: the current offset).
    public func error(_ detail: String, at: Int? = nil) -> TokenizerError {
        .malformedGGUF(path: path, offset: at ?? offset, detail: detail)
    }

    /// Throws unless `count` more bytes exist; `what` names them in the message.
    public func need(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else {
            throw error("\(what) needs \(count) bytes but only \(remaining) remain in the \(bytes.count)-byte file (truncated?)")
        }
    }

    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    public mutating func u8(_ what: String) throws -> UInt8 { try load(UInt8.self, what) }
    public mutating func u16(_ what: String) throws -> UInt16 { try load(UInt16.self, what) }
    public mutating func u32(_ what: String) throws -> UInt32 { try load(UInt32.self, what) }
    public mutating func u64(_ what: String) throws -> UInt64 { try load(UInt64.self, what) }

    /// A u64 count that must be at most `limit` (e.g. what the remaining bytes could hold).
    public mutating func count(_ what: String, limit: Int) throws -> Int {
        let start = offset
        let n = try u64(what)
        guard n <= UInt64(max(limit, 0)) else {
            throw error("\(what) is \(n), more than the \(limit) the rest of the file could hold (corrupt count?)", at: start)
        }
        return Int(n)
    }

    /// A GGUF string: u64 byte length, then that many bytes of UTF-8 (invalid sequences become U+FFFD).
    public mutating func string(_ what: String) throws -> String {
        let n = try count("length of \(what)", limit: remaining - 8)
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]), as: UTF8.self)
        offset += n
        return s
    }

    /// Skips to the next multiple of `alignment` (a power of two); throws if that is past the end.
    public mutating func align(to alignment: Int, _ what: String) throws {
        let rem = offset % alignment
        guard rem != 0 else { return }
        try need(alignment - rem, what)
        offset += alignment - rem
    }

    /// Moves to `position` (0...bytes.count).
    public mutating func seek(_ position: Int) throws {
        guard position >= 0, position <= bytes.count else { throw error("offset \(position) is outside the file") }
        offset = position
    }
}
