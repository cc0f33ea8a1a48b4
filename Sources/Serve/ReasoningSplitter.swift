/// Splits generated text into reasoning and answer as vLLM's `deepseek_r1` reasoning parser does
/// (`vllm/reasoning/deepseek_r1_reasoning_parser.py`): the text up to `</think>` is
/// `reasoning_content`, the rest `content`; a `<think>` the model writes itself is dropped (vLLM
/// also drops text before it, which a stream may already have sent; here it stays, so streamed and
/// whole responses always agree — models that write `<think>` write it first anyway). The
/// reasoning is assumed to start at once — R1 chat templates pre-fill `<think>\n` in the prompt —
/// so output without `</think>` is all reasoning. With `enabled == false` everything is content.
///
/// Streaming: ``push(_:)`` takes text as it is generated and returns what can be shown now; a
/// suffix that may be the start of a tag is held back until the next push or ``finish()``.
/// Concatenating every push and the finish equals ``split(_:enabled:)`` of the whole text.
///
/// ```swift
/// var s = ReasoningSplitter(enabled: true)
/// let a = s.push("plan: refuse</th")   // ("plan: refuse", "")
/// let b = s.push("ink>No.")            // ("", "No.")
/// ```
public struct ReasoningSplitter: Sendable {
    public static let start = "<think>", end = "</think>"
    public let enabled: Bool
    private var inReasoning: Bool
    private var pending = ""

    public init(enabled: Bool) {
        self.enabled = enabled
        inReasoning = enabled
    }

    /// Adds `text`; returns the reasoning and answer text that is now final.
    public mutating func push(_ text: String) -> (reasoning: String, content: String) {
        guard inReasoning else { return ("", text) }
        pending += text
        var reasoning = ""
        if let r = pending.range(of: Self.end) {
            reasoning = String(pending[..<r.lowerBound]).replacingOccurrences(of: Self.start, with: "")
            let rest = String(pending[r.upperBound...])
            pending = ""
            inReasoning = false
            return (reasoning, rest)
        }
        pending = pending.replacingOccurrences(of: Self.start, with: "")
        let keep = Self.partialTagLength(pending)
        let cut = pending.index(pending.endIndex, offsetBy: -keep)
        reasoning = String(pending[..<cut])
        pending = String(pending[cut...])
        return (reasoning, "")
    }

    /// Flushes the held-back text (the end of the output: a partial tag is plain text).
    public mutating func finish() -> (reasoning: String, content: String) {
        defer { pending = "" }
        return inReasoning ? (pending, "") : ("", pending)
    }

    /// The whole text's parts; `reasoning` is nil when the parser is off, `content` nil when the
    /// output ended inside the reasoning or the answer is empty (vLLM returns `None` then).
    public static func split(_ text: String, enabled: Bool) -> (reasoning: String?, content: String?) {
        guard enabled else { return (nil, text) }
        var s = ReasoningSplitter(enabled: true)
        let a = s.push(text), b = s.finish()
        let content = a.content + b.content
        return (a.reasoning + b.reasoning, content.isEmpty ? nil : content)
    }

    /// Length (in characters) of the longest suffix of `s` that is a proper prefix of a tag.
    static func partialTagLength(_ s: String) -> Int {
        var best = 0
        for tag in [start, end] {
            for n in stride(from: min(tag.count - 1, s.count), to: best, by: -1) where s.hasSuffix(tag.prefix(n)) {
                best = n
                break
            }
        }
        return best
    }
}
