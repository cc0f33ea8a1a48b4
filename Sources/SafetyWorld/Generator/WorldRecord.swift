import Foundation
import SafetyEval

/// A world example in the SafeKey record format (shared/METHOD.md, "Data"), readable by
/// `SafeKey.RecordReader`:
///
/// ```json
/// {"question": "...", "response": "<think>\n...\n</think>\n\n...", "source": "safetyworld",
///  "category": ["Illicit / Criminal Behavior"], "summary_end_idx": 97, "next_sentence_end_idx": 146,
///  "unsafe": true, "id": "safety-training-0", "set": "safety-training", "split": "training",
///  "trace": "safe", "jailbreak_family": "code-words"}
/// ```
///
/// `unsafe` carries the label explicitly (the sources are not STAR-1's, so the reference's
/// `source == "4o_rewrite"` rule does not apply). `jailbreak_family`, `conversation` (multi-turn
/// history, `[{"role", "content"}]`) and `prefill` appear only when they apply.
public struct WorldRecord: Codable, Equatable, Sendable {
    public static let harmfulSource = "safetyworld"
    public static let benignSource = "safetyworld-benign"

    public var id: String
    public var question: String
    public var response: String
    public var source: String
    public var category: [String]
    public var summaryEndIdx: Int
    public var nextSentenceEndIdx: Int
    public var unsafe: Bool
    public var set: String
    public var split: String
    public var trace: String
    public var jailbreakFamily: String?
    public var conversation: [ChatTurn]?
    public var prefill: String?

    enum CodingKeys: String, CodingKey {
        case id, question, response, source, category, unsafe, set, split, trace, conversation, prefill
        case summaryEndIdx = "summary_end_idx"
        case nextSentenceEndIdx = "next_sentence_end_idx"
        case jailbreakFamily = "jailbreak_family"
    }

    /// One line of JSONL: keys sorted, no escaped slashes, no trailing newline. Deterministic.
    public func jsonLine() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, ints, bools and arrays of them cannot fail.
        guard let data = try? enc.encode(self), let s = String(data: data, encoding: .utf8) else { return "{}" }
        return s
    }
}
