/// Splits thinking text into sentences; sentences are Unicode-scalar ranges into the normalised
/// response (Python string indices), without the whitespace between them.
///
/// Two modes:
/// - ``Mode/reference``: exactly the reference analysis split, Python
///   `re.split(r"(?<=[.?])(?<!\.\.\.)\s+", thinking)` (`\s` = Python's Unicode whitespace).
///   Checked piece for piece against Python on all of STAR-1 (Tests/Fixtures/annotator,
///   Scripts/annot_segmentation_fixture.py).
/// - ``Mode/improved`` (default): the same split on ordinary prose, and better where it fails:
///   1. `!` ends a sentence (the reference only knows `.` and `?`);
///   2. a line break always ends a sentence (list items, headings, lines ending in `:`);
///   3. a stop followed by closing quotes/brackets/emphasis (`?"`, `.)`, `.”`, `.**`) ends a
///      sentence unless the next word starts in lower case (`"Why?" he asked`);
///   4. no split after abbreviations: titles (`Mr.`, `Mrs.`, `Ms.`, `Dr.`, `Prof.`, `St.`, `Jr.`,
///      `Sr.`, `Mt.`, `Fig.`), `e.g.`, `i.e.`, `cf.`, `viz.`, `vs.`, `approx.`; `etc.`, and
///      initialisms (`U.S.`, `J.K.`, `a.m.`) and capital initials (`Viktor E. Frankl`) split only
///      before a word that usually opens a sentence (`The`, `This`, `I`, `Hmm`, …; see
///      `sentenceStarters`), so `U.S. The law` splits but `U.S. Army` and `J.K. Rowling` do not;
///   5. no split after a list marker (`1.`, `a.`, `iv.`) at the start of a line;
///   6. an ellipsis (`...`, `…`) never ends a sentence within a line, as in the reference.
///   Decimals (`3.5`) never split in either mode (no whitespace after the point).
public struct SentenceSegmenter: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case reference, improved
    }

    public var mode: Mode
    public init(mode: Mode = .improved) { self.mode = mode }

    /// Sentences of `text[range]`, in order, as absolute ranges into `text`. Empty pieces are
    /// dropped; leading and trailing whitespace of `range` never belongs to a sentence.
    public func sentences(in text: ScalarText, range: Range<Int>) -> [Range<Int>] {
        let lo = max(0, min(range.lowerBound, text.count)), hi = max(lo, min(range.upperBound, text.count))
        return text.scalars.withUnsafeBufferPointer { buf in
            mode == .reference ? Self.referenceSplit(buf, lo, hi) : Self.improvedSplit(buf, lo, hi)
        }
    }

    /// Sentences of a normalised response's thinking.
    public func sentences(in response: NormalizedResponse) -> [Range<Int>] {
        sentences(in: response.text, range: response.thinkingRange)
    }

    // MARK: reference

    /// `re.split(r"(?<=[.?])(?<!\.\.\.)\s+", s)`: a match starts at p when s[p-1] is `.` or `?`,
    /// s[p-3..<p] is not `...` (lookbehinds see only the split string), and s[p] is whitespace;
    /// it takes the whole whitespace run. Searching resumes after the run.
    static func referenceSplit(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ lo: Int, _ hi: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var pieceStart = lo
        var p = lo
        while p < hi {
            if ScalarText.isPythonSpace(s[p]), p - 1 >= lo, s[p - 1] == "." || s[p - 1] == "?",
               !(p - 3 >= lo && s[p - 1] == "." && s[p - 2] == "." && s[p - 3] == ".") {
                if p > pieceStart { out.append(pieceStart..<p) }
                var q = p
                while q < hi, ScalarText.isPythonSpace(s[q]) { q += 1 }
                pieceStart = q
                p = q
                continue
            }
            p += 1
        }
        if hi > pieceStart { out.append(pieceStart..<hi) }
        return out
    }

    // MARK: improved

    static func improvedSplit(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ lo: Int, _ hi: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = -1
        var i = lo
        while i < hi {
            guard ScalarText.isPythonSpace(s[i]) else {
                if start < 0 { start = i }
                i += 1
                continue
            }
            var j = i, newline = false
            while j < hi, ScalarText.isPythonSpace(s[j]) {
                if isLineBreak(s[j]) { newline = true }
                j += 1
            }
            if start >= 0, newline || endsSentence(s, lo: lo, hi: hi, end: i, next: j) {
                out.append(start..<i)
                start = -1
            }
            i = j
        }
        if start >= 0 { out.append(start..<hi) }
        return out
    }

    /// Line separators among Python's whitespace: `\n`, `\v`, `\f`, `\r`, U+001C–U+001E, U+0085,
    /// U+2028, U+2029 (what `str.splitlines` splits on).
    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func isStop(_ c: Unicode.Scalar) -> Bool { c == "." || c == "?" || c == "!" || c == "…" }

    /// Closing quotes, brackets and emphasis marks that may follow a stop.
    static func isCloser(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\"", "'", "”", "’", ")", "]", "}", "»", "*", "_": return true
        default: return false
        }
    }

    static func isOpener(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\"", "'", "“", "‘", "(", "[", "{", "«", "*", "_": return true
        default: return false
        }
    }

    static let titles: Set<String> = ["Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "Mt", "Fig"]
    static let neverFinal: Set<String> = ["e.g", "i.e", "cf", "viz", "vs", "approx"]
    static let romanMarkers: Set<String> = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
                                            "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

    /// Does the non-space text ending at `end` (whitespace runs `end..<next`) end a sentence?
    static func endsSentence(_ s: UnsafeBufferPointer<Unicode.Scalar>, lo: Int, hi: Int, end: Int, next: Int) -> Bool {
        var k = end
        while k > lo, isCloser(s[k - 1]) { k -= 1 }
        let closed = k < end
        var p = k
        while p > lo, isStop(s[p - 1]) { p -= 1 }
        guard p < k else { return false }  // no stop before the whitespace
        let nextChar: Unicode.Scalar? = next < hi ? s[next] : nil
        let nextUpper = nextChar?.properties.isUppercase ?? false
        let nextLower = nextChar?.properties.isLowercase ?? false
        if closed && nextLower { return false }
        let last = s[k - 1]
        if last == "…" || (k - 3 >= p && s[k - 1] == "." && s[k - 2] == "." && s[k - 3] == ".") { return false }
        if last == "?" || last == "!" { return true }
        guard k - p == 1 else { return true }  // "?." and the like
        // A single "." — look at the word before it.
        var w = p
        while w > lo, !ScalarText.isPythonSpace(s[w - 1]), !isOpener(s[w - 1]) { w -= 1 }
        guard w < p else { return true }
        var word = String.UnicodeScalarView()
        word.append(contentsOf: s[w..<p])
        let token = String(word)
        if titles.contains(token) || neverFinal.contains(token.lowercased()) { return false }
        if token.lowercased() == "etc" { return nextUpper }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count >= 2, parts.allSatisfy({ $0.count == 1 && $0.unicodeScalars.first!.properties.isAlphabetic }) {
            // Initialism: "U.S. The law" splits, "U.S. Army", "J.K. Rowling", "a.m. on" do not.
            return nextWordStartsSentence(s, hi: hi, next)
        }
        if isInitial(token), nextUpper, !atLineStart(s, lo: lo, w) {
            // A capital initial: "Viktor E. Frankl", "J. K. Rowling" — unless the next word
            // usually starts a sentence ("…about X. Hmm, …").
            return nextWordStartsSentence(s, hi: hi, next)
        }
        if atLineStart(s, lo: lo, w), isListMarker(token) { return false }
        return true
    }

    /// Words that usually open a sentence; after an initialism or an initial they decide a split.
    static let sentenceStarters: Set<String> = [
        "The", "This", "That", "These", "Those", "It", "Its", "It's", "I", "I'm", "I'll", "I've", "He", "She",
        "They", "They're", "We", "You", "Hmm", "But", "So", "And", "However", "Also", "In", "If", "As", "A", "An",
        "There", "What", "How", "Why", "When", "Where", "Let", "My", "Our", "Their", "His", "Her", "First",
        "Then", "Now", "Okay", "Wait", "Maybe", "Since", "Therefore", "Thus", "Overall", "Yes", "No",
    ]

    static func nextWordStartsSentence(_ s: UnsafeBufferPointer<Unicode.Scalar>, hi: Int, _ next: Int) -> Bool {
        var e = next
        while e < hi, s[e].properties.isAlphabetic || s[e] == "'" || s[e] == "’" { e += 1 }
        guard e > next else { return false }
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s[next..<e])
        return sentenceStarters.contains(String(v).replacingOccurrences(of: "’", with: "'"))
    }

    static func isInitial(_ token: String) -> Bool {
        token.unicodeScalars.count == 1 && (token.unicodeScalars.first?.properties.isUppercase ?? false)
    }

    /// Only spaces and tabs between the previous line break (or the text start) and `w`.
    static func atLineStart(_ s: UnsafeBufferPointer<Unicode.Scalar>, lo: Int, _ w: Int) -> Bool {
        var b = w
        while b > lo {
            let c = s[b - 1]
            if isLineBreak(c) { return true }
            if !ScalarText.isPythonSpace(c) { return false }
            b -= 1
        }
        return true
    }

    /// `1`–`999`, one letter, or a roman numeral up to `x`.
    static func isListMarker(_ token: String) -> Bool {
        let u = token.unicodeScalars
        if (1...3).contains(u.count), u.allSatisfy({ ("0"..."9").contains($0) }) { return true }
        if u.count == 1, let c = u.first, c.properties.isAlphabetic { return true }
        return romanMarkers.contains(token)
    }
}
