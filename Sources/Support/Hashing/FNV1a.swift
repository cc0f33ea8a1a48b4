/// 64-bit FNV-1a (Fowler, Noll, Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3): the
/// package's one non-cryptographic hash, for fingerprints of texts and fixture checksums that
/// Python scripts recompute (`Scripts/`), cache file names and stream seeds. Not for secrets.
///
///     FNV1a.hash64("a")          // 0xaf63dc4c8601ec8c (the published test vector)
///     FNV1a.hex64("a")           // "af63dc4c8601ec8c"
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// Folds `bytes` into `hash` (start from ``offsetBasis``, or a previous result to continue).
    @inlinable
    public static func hash64<S: Sequence>(_ bytes: S, from hash: UInt64 = offsetBasis) -> UInt64 where S.Element == UInt8 {
        var h = hash
        for b in bytes { h = (h ^ UInt64(b)) &* prime }  // wrapping multiply by definition
        return h
    }

    /// FNV-1a 64 of a string's UTF-8 bytes.
    @inlinable
    public static func hash64(_ text: String) -> UInt64 { hash64(text.utf8) }

    /// A hash as 16 lowercase hex digits.
    public static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// FNV-1a 64 of a string's UTF-8 bytes, as 16 lowercase hex digits.
    public static func hex64(_ text: String) -> String { hex(hash64(text)) }
}
