import Foundation
import Tokenizers

/// Errors of the SafeKey training pipeline: what, where (record line, file, key) and what to do.
public enum TrainingError: Error, CustomStringConvertible {
    case encoding(line: Int, detail: String)
    case invalidOption(String)
    case noData(String)
    case io(path: String, detail: String)
    case checkpoint(path: String, detail: String)
    /// A loss, gradient or parameter that is NaN or ±infinity (training stops; nothing is saved).
    case nonFinite(String)

    public var description: String {
        switch self {
        case let .encoding(line, detail): return "encode: record at line \(line): \(detail)"
        case let .invalidOption(d): return "invalid option: \(d)"
        case let .noData(d): return "no data: \(d)"
        case let .io(path, detail): return "\(path): \(detail)"
        case let .checkpoint(path, detail): return "checkpoint \(path): \(detail)"
        case let .nonFinite(d): return "training stopped: non-finite value: \(d)"
        }
    }
}

/// Renders a record with the model's own chat template and tokenises it (issue 5, item 2):
///
/// - training input: `[user: question, assistant: a]` rendered with the thinking kept;
/// - prompt: `[user: question]` with the generation prompt;
///
/// both exactly as transformers' `apply_chat_template` renders them (BOS included — the reference
/// forgets it on its Qwen path), tokenised without adding special tokens. The prompt must be a
/// token prefix of the input. K's tokens come from the character offsets through the tokenizer's
/// offsets — not from the reference's separate tokenisation, which is one token late on R1
/// templates (METHOD.md).
public struct RecordEncoder {
    /// Renders `(role, content)` messages with the model's chat template:
    /// `(messages, addGenerationPrompt, keepThinking) → text`.
    public typealias Render = (_ messages: [(role: String, content: String)], _ addGenerationPrompt: Bool,
                               _ keepThinking: Bool) throws -> String
    public let tokenizer: Tokenizer
    public let render: Render
    public let maxSequenceLength: Int
    public let referenceSpans: Bool

    public init(tokenizer: Tokenizer, render: @escaping Render, maxSequenceLength: Int = 8192, referenceSpans: Bool = false) {
        self.tokenizer = tokenizer
        self.render = render
        self.maxSequenceLength = maxSequenceLength
        self.referenceSpans = referenceSpans
    }

    /// An encoder rendering with the tokenizer's own chat template (compiled once).
    public init(tokenizer: Tokenizer, maxSequenceLength: Int = 8192, referenceSpans: Bool = false) throws {
        guard let source = tokenizer.chatTemplate else {
            throw TrainingError.invalidOption("the tokenizer at \(tokenizer.source) has no chat template (tokenizer_config.json `chat_template` or chat_template.jinja)")
        }
        let template = try ChatTemplate(source: source)
        self.init(tokenizer: tokenizer, render: { messages, addGenerationPrompt, keepThinking in
            let list = TemplateValue.array(messages.map { ["role": .string($0.role), "content": .string($0.content)] })
            return try template.render(context: tokenizer.chatTemplateContext(messages: list, addGenerationPrompt: addGenerationPrompt),
                                       keepThinking: keepThinking)
        }, maxSequenceLength: maxSequenceLength, referenceSpans: referenceSpans)
    }

    /// Encodes one record. Throws `TrainingError.encoding` naming the record's line when the
    /// template does not reproduce the response or the prompt is not a token prefix.
    public func encode(_ record: SafeKeyRecord) throws -> EncodedExample {
        try encode(conversation: record.turns(), response: record.response.string,
                   summaryEnd: record.summaryEndIdx, keyEnd: record.nextSentenceEndIdx, unsafe: record.unsafe, line: record.line)
    }

    /// Encodes a conversation (`conversation` ends with the user turn being answered; earlier turns
    /// are context, e.g. a multi-turn jailbreak) and its normalised assistant `response`, with U/K
    /// given as Unicode-scalar offsets into `response` (nil: SFT only).
    public func encode(conversation: [(role: String, content: String)], response a: String, summaryEnd: Int?,
                       keyEnd: Int?, unsafe: Bool, line: Int) throws -> EncodedExample {
        let full = try render(conversation + [(role: "assistant", content: a)], false, true)
        let prompt = try render(conversation, true, false)
        let encoding = try tokenizer.encodeWithOffsets(full)
        let promptIds = try tokenizer.encode(prompt)
        var ids = encoding.ids
        guard promptIds.count <= ids.count, Array(ids.prefix(promptIds.count)) == promptIds else {
            throw TrainingError.encoding(line: line, detail: "the prompt's \(promptIds.count) tokens are not a prefix of the rendered conversation's tokens; the chat template renders the assistant turn differently from its generation prompt")
        }
        guard promptIds.count < ids.count else {
            throw TrainingError.encoding(line: line, detail: "the rendered conversation has no response tokens")
        }
        let p = promptIds.count
        var labels = ids.enumerated().map { $0.offset < p ? -100 : $0.element }
        var queryMask = ids.indices.map { $0 < p ? 0 : 1 }
        var keyMask = [Int](repeating: 0, count: ids.count)
        var kStart = p, kEnd = p, auxiliary = false
        var reference: (Int, Int)?
        if let uEnd = summaryEnd, let kEndChar = keyEnd {
            guard let base = Self.lastOccurrence(of: a, in: full) else {
                throw TrainingError.encoding(line: line, detail: "the chat template did not reproduce the response verbatim (does it drop the thinking?), so K cannot be located")
            }
            let ks = base + uEnd, ke = base + kEndChar
            var first = -1, last = -1
            for (j, off) in encoding.offsets.enumerated() where j >= p && off.start < ke && off.end > ks && off.end > off.start {
                keyMask[j] = 1
                if first < 0 { first = j }
                last = j
            }
            if first >= 0 {
                kStart = first
                kEnd = last + 1
                auxiliary = kStart > p    // U must hold at least one token
            }
            if referenceSpans {
                let scalars = Array(a.unicodeScalars)
                let uText = String(String.UnicodeScalarView(scalars[0..<uEnd]))
                let kText = String(String.UnicodeScalarView(scalars[uEnd..<kEndChar]))
                let start = p - 1 + (try tokenizer.encode(uText).count)
                reference = (start, start + (try tokenizer.encode(kText).count))
            }
        }
        if ids.count > maxSequenceLength {
            ids.removeLast(ids.count - maxSequenceLength)
            labels.removeLast(labels.count - maxSequenceLength)
            queryMask.removeLast(queryMask.count - maxSequenceLength)
            keyMask.removeLast(keyMask.count - maxSequenceLength)
            if kEnd > maxSequenceLength { auxiliary = false }
        }
        if !auxiliary { keyMask = [Int](repeating: 0, count: ids.count) }
        return EncodedExample(inputIds: ids, labels: labels, keyMask: keyMask, queryMask: queryMask, promptLength: p,
                              keyStart: kStart, keyEnd: kEnd, unsafe: unsafe, auxiliary: auxiliary,
                              referenceKeySpan: reference, line: line)
    }

    /// Start (in Unicode scalars) of the last occurrence of `needle` in `haystack`.
    static func lastOccurrence(of needle: String, in haystack: String) -> Int? {
        let n = Array(needle.unicodeScalars), h = Array(haystack.unicodeScalars)
        guard !n.isEmpty, n.count <= h.count else { return nil }
        var s = h.count - n.count
        while s >= 0 {
            if h[s] == n[0] && h[s..<(s + n.count)].elementsEqual(n) { return s }
            s -= 1
        }
        return nil
    }
}
