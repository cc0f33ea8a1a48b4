/// A response in SafeKey's normalised form `"<think>\n{thinking}\n</think>\n\n{answer}"`.
///
/// Mirrors the reference trainer (`train/sft.py`, `Train_dataset.get_response`, eric-ai-lab/SafeKey):
/// `response.replace("\\/", "/").strip()`, then `re.search(r"<think>\s*(.*?)\s*</think>\s*(.*)",
/// DOTALL)`, `thinking = group(1).strip()`, `answer = group(2).strip()`. That is: the text between
/// the first `<think>` and the first `</think>` after it, and everything after that `</think>`,
/// each stripped of Python whitespace. Unlike the reference, a response without such a block is an
/// error (the reference silently trains it with an empty thinking).
///
/// All offsets are Unicode-scalar offsets (Python string indices) into ``text``.
public struct NormalizedResponse: Sendable, Equatable {
    /// The normalised response `a`; `summary_end_idx` etc. index into it.
    public let text: ScalarText
    /// Where the thinking sits in ``text``: starts at 8 (after `<think>\n`).
    public let thinkingRange: Range<Int>
    /// Where the final answer sits in ``text`` (after `\n</think>\n\n`).
    public let answerRange: Range<Int>

    /// Why a response cannot be normalised.
    public enum Failure: Error, Equatable, Sendable {
        /// No `<think>` … `</think>` pair in that order.
        case noThinkBlock
    }

    static let openTag = Array("<think>".unicodeScalars)
    static let closeTag = Array("</think>".unicodeScalars)

    /// Normalises a raw `response` string as the reference trainer does.
    public static func normalize(_ raw: String) -> Result<NormalizedResponse, Failure> {
        // `.replace("\\/", "/")` on scalars (String.replacingOccurrences compares graphemes).
        var src: [Unicode.Scalar] = []
        src.reserveCapacity(raw.unicodeScalars.count)
        var it = raw.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let s = pending ?? it.next() {
            pending = nil
            if s == "\\", let n = it.next() {
                if n == "/" { src.append("/") } else { src.append(s); pending = n }
            } else {
                src.append(s)
            }
        }
        let t = ScalarText(scalars: src)
        guard let open = t.find(openTag),
              let close = t.find(closeTag, from: open + openTag.count) else { return .failure(.noThinkBlock) }
        let thinking = t.stripped((open + openTag.count)..<close)
        let answer = t.stripped((close + closeTag.count)..<t.count)
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(thinking.count + answer.count + 21)
        out.append(contentsOf: "<think>\n".unicodeScalars)
        out.append(contentsOf: src[thinking])
        let thinkingEnd = out.count
        out.append(contentsOf: "\n</think>\n\n".unicodeScalars)
        let answerStart = out.count
        out.append(contentsOf: src[answer])
        return .success(NormalizedResponse(text: ScalarText(scalars: out),
                                           thinkingRange: 8..<thinkingEnd,
                                           answerRange: answerStart..<out.count))
    }

    /// The normalised text as a `String`.
    public var string: String { text.string }
    /// The thinking (without tags).
    public var thinking: String { text.string(thinkingRange) }
    /// The final answer.
    public var answer: String { text.string(answerRange) }
}
