import Foundation

/// One entry of `tokenizer.json`'s `added_tokens`.
public struct AddedToken: Equatable {
    public var id: Int
    public var content: String
    public var special: Bool
    public var singleWord: Bool
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool
}

/// Finds added tokens in text before the model runs, as HF tokenizers' `AddedVocabulary` does:
/// leftmost-longest matching (aho-corasick `LeftmostLongest`) over a trie of the tokens' scalars,
/// then `single_word` (no `\w` character touching either side), `lstrip` / `rstrip` (absorb
/// `\s*` on that side, never re-taking text an earlier match consumed).
struct AddedTokenMatcher {
    /// Trie nodes: children keyed by `(node << 32) | scalar`.
    private var children: [UInt64: Int32] = [:]
    /// Token index (into `tokens`) ending at each node, or -1.
    private var terminal: [Int32] = [-1]
    /// First scalars of the tokens: a bitmap over the BMP (one load per text scalar), a set beyond.
    private var firstBMP = [UInt64](repeating: 0, count: 1024)
    private var firstOther = Set<UInt32>()
    private(set) var tokens: [AddedToken] = []

    var isEmpty: Bool { tokens.isEmpty }

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        for (index, token) in tokens.enumerated() {
            var node: Int32 = 0
            let scalars = token.content.unicodeScalars
            guard let first = scalars.first else { continue }
            if first.value < 0x10000 {
                firstBMP[Int(first.value >> 6)] |= 1 << (first.value & 63)
            } else {
                firstOther.insert(first.value)
            }
            for u in scalars {
                let key = (UInt64(UInt32(node)) << 32) | UInt64(u.value)
                if let next = children[key] {
                    node = next
                } else {
                    let next = Int32(terminal.count)
                    terminal.append(-1)
                    children[key] = next
                    node = next
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(index) }
        }
    }

    /// A match: `tokens[token]` consuming scalars `range` (with whitespace taken by lstrip/rstrip);
    /// HF reports the token's offsets as `content`, the matched text alone.
    struct Match { var token: Int; var range: Range<Int>; var content: Range<Int> }

    /// Matches in `s[start..<end]`, in order, non-overlapping.
    func matches(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> [Match] {
        guard !tokens.isEmpty else { return [] }
        var out = [Match]()
        var consumed = start
        var i = start
        while i < end {
            let v = s[i]
            let mayStart = v < 0x10000 ? (firstBMP[Int(v >> 6)] >> (v & 63)) & 1 != 0 : firstOther.contains(v)
            guard mayStart else { i += 1; continue }
            var node: Int32 = 0
            var best = -1, bestEnd = i
            var j = i
            while j < end, let next = children[(UInt64(UInt32(node)) << 32) | UInt64(s[j])] {
                node = next
                j += 1
                if terminal[Int(node)] >= 0 { best = Int(terminal[Int(node)]); bestEnd = j }
            }
            guard best >= 0 else { i += 1; continue }
            let token = tokens[best]
            var lo = i, hi = bestEnd
            if token.singleWord {
                let before = lo > start && Self.isWordChar(s[lo - 1])
                let after = hi < end && Self.isWordChar(s[hi])
                if before || after { i = bestEnd; continue }  // aho-corasick resumes after a match
            }
            if token.lstrip {
                while lo > consumed && Self.isSpace(s[lo - 1]) { lo -= 1 }
            }
            if token.rstrip {
                while hi < end && Self.isSpace(s[hi]) { hi += 1 }
            }
            out.append(Match(token: best, range: lo..<hi, content: i..<bestEnd))
            consumed = hi
            i = hi
        }
        return out
    }

    private static func isSpace(_ v: UInt32) -> Bool {
        guard let u = Unicode.Scalar(v) else { return false }
        return u.properties.isWhitespace
    }

    /// Rust regex `\w`: alphabetic, numeric, marks, connector punctuation, join controls.
    private static func isWordChar(_ v: UInt32) -> Bool {
        guard let u = Unicode.Scalar(v) else { return false }
        let p = u.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark,
             .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
