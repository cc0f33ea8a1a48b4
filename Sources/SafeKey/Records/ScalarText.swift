import Support

/// Text indexed the way Python indexes `str`: by Unicode scalar (code point).
///
/// SafeKey's `summary_end_idx` / `next_sentence_end_idx` are Python string indices into the
/// normalised response (shared/METHOD.md), so every offset in this module counts Unicode scalars —
/// not Swift `Character`s (grapheme clusters: an emoji with a skin-tone modifier is one
/// `Character` but two scalars) and not UTF-16 code units (an astral emoji is two of those).
///
/// ```swift
/// let t = ScalarText("a👍🏽b")   // t.count == 4, as len() in Python
/// t.string(1..<3)                 // "👍🏽"
/// ```
public struct ScalarText: Sendable, Equatable {
    /// The scalars, one element per Python string index.
    public let scalars: [Unicode.Scalar]

    public init(_ string: String) { scalars = Array(string.unicodeScalars) }
    public init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    /// Number of scalars: Python's `len(s)`.
    public var count: Int { scalars.count }

    /// The whole text as a `String`.
    public var string: String { string(0..<scalars.count) }

    /// `s[range]` in Python terms; the range is clamped to the text.
    public func string(_ range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, scalars.count))
        let hi = max(lo, min(range.upperBound, scalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return String(view)
    }

    /// First index `>= from` where `needle` starts, or nil (Python's `str.find`).
    public func find(_ needle: [Unicode.Scalar], from: Int = 0) -> Int? {
        guard !needle.isEmpty, needle.count <= scalars.count else { return nil }
        var i = max(0, from)
        let last = scalars.count - needle.count
        while i <= last {
            if scalars[i] == needle[0] {
                var j = 1
                while j < needle.count, scalars[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// The range left after dropping Python-whitespace at both ends of `range` (`str.strip()`).
    public func stripped(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi, ScalarText.isPythonSpace(scalars[lo]) { lo += 1 }
        while hi > lo, ScalarText.isPythonSpace(scalars[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// Python's `str.isspace()` for one code point — the set `\s` matches in a `str` pattern and
    /// `str.strip()` removes: `\t\n\v\f\r`, U+001C–U+001F, space, U+0085, U+00A0, U+1680,
    /// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (checked against CPython 3).
    @inlinable
    public static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v <= 0x20 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x1F) }
        if v < 0x85 { return false }
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// 64-bit FNV-1a over the UTF-8 bytes of `string` as 16 lowercase hex digits. Used to check
    /// that a fixture or a gold label points at the text it was made from without storing it
    /// (Scripts/annot_*.py compute the same function).
    public static func fingerprint(_ string: String) -> String { FNV1a.hex64(string) }
}
