import Foundation

/// A `Split` pattern other than the hand-scanned ones: a literal string, or a regex run with
/// `NSRegularExpression` (ICU syntax, which agrees with Rust `regex` on the classes these files use).
/// Matches are reported in scalar indices of the buffer.
final class RegexMatcher {
    private let regex: NSRegularExpression?
    private let literal: [UInt32]?

    init(regex pattern: String, file: String) throws {
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw TokenizerError.malformedConfig(file: file, key: "pre_tokenizer.pattern.Regex",
                                                 reason: "cannot compile \(pattern): \(error)")
        }
        literal = nil
    }

    init(literal: String) {
        regex = nil
        self.literal = literal.unicodeScalars.map { $0.value }
    }

    func matches(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into out: inout [Range<Int>]) {
        if let lit = literal {
            guard !lit.isEmpty else { return }
            var i = start
            while i + lit.count <= end {
                var equal = true
                for k in 0..<lit.count where s[i + k] != lit[k] { equal = false; break }
                if equal { out.append(i..<(i + lit.count)); i += lit.count } else { i += 1 }
            }
            return
        }
        guard let regex = regex else { return }
        var view = String.UnicodeScalarView()
        var utf16ToScalar = [Int]()
        for i in start..<end {
            guard let u = Unicode.Scalar(s[i]) else { continue }
            view.append(u)
            utf16ToScalar.append(i)
            if u.value > 0xFFFF { utf16ToScalar.append(i) }
        }
        utf16ToScalar.append(end)
        let text = String(view)
        let ns = text as NSString
        for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let lo = utf16ToScalar[m.range.location]
            let hi = m.range.length == 0 ? lo : utf16ToScalar[m.range.location + m.range.length - 1] + 1
            out.append(lo..<hi)
        }
    }
}
